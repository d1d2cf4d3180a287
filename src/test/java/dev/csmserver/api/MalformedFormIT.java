package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link MalformedFormTest} against the packaged application. */
@QuarkusIntegrationTest
public class MalformedFormIT extends MalformedFormTest {}
