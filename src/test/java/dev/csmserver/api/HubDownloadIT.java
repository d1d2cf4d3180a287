package dev.csmserver.api;

import dev.csmserver.pipeline.HubStandInResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** {@link HubDownloadTest} against the packaged jar, which downloads from the stand-in hub. */
@QuarkusIntegrationTest
@WithTestResource(HubStandInResource.class)
public class HubDownloadIT extends HubDownloadTest {}
