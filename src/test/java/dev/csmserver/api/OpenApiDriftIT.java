package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link OpenApiDriftTest} against the packaged application. */
@QuarkusIntegrationTest
public class OpenApiDriftIT extends OpenApiDriftTest {}
