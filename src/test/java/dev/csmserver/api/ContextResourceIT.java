package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ContextResourceTest} against the packaged application. */
@QuarkusIntegrationTest
public class ContextResourceIT extends ContextResourceTest {}
