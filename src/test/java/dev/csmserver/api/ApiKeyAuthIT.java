package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ApiKeyAuthTest} against the packaged jar (the profile's API key is passed at launch). */
@QuarkusIntegrationTest
public class ApiKeyAuthIT extends ApiKeyAuthTest {}
