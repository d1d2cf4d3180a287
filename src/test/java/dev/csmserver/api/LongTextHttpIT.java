package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link LongTextHttpTest} against the packaged application. */
@QuarkusIntegrationTest
public class LongTextHttpIT extends LongTextHttpTest {}
