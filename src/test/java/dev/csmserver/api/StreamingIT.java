package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link StreamingTest} against the packaged application. */
@QuarkusIntegrationTest
public class StreamingIT extends StreamingTest {}
