package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link EncodeBoundTest} against the packaged jar. */
@QuarkusIntegrationTest
public class EncodeBoundIT extends EncodeBoundTest {}
