package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link ContextIntegrityTest} against the packaged application. */
@QuarkusIntegrationTest
public class ContextIntegrityIT extends ContextIntegrityTest {}
