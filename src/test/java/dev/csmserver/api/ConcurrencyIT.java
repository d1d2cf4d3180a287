package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ConcurrencyTest} against the packaged application. */
@QuarkusIntegrationTest
public class ConcurrencyIT extends ConcurrencyTest {}
