package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link BodyReadTest} against the packaged application. */
@QuarkusIntegrationTest
public class BodyReadIT extends BodyReadTest {}
