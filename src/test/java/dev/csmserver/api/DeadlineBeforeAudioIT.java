package dev.csmserver.api;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link DeadlineBeforeAudioTest} against the packaged jar. */
@QuarkusIntegrationTest
public class DeadlineBeforeAudioIT extends DeadlineBeforeAudioTest {}
