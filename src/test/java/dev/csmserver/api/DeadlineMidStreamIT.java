package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link DeadlineMidStreamTest} against the packaged jar. */
@QuarkusIntegrationTest
public class DeadlineMidStreamIT extends DeadlineMidStreamTest {}
