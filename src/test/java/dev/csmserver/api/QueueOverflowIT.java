package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link QueueOverflowTest} against the packaged application. */
@QuarkusIntegrationTest
public class QueueOverflowIT extends QueueOverflowTest {}
