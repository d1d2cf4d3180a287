package dev.csmserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The GPU variant of docker/Dockerfile, read without a Docker engine: a CUDA base that adds no
 * second cuDNN or cuBLAS to the ones libtorch's zip bundles, the same CUDA version as that
 * libtorch, a package without the CPU natives jar, a build-time check that every native library
 * resolves on the runtime base, and the NVIDIA driver that CUDA version needs written where
 * operators look. DockerNativesIT runs the native-library scripts themselves.
 */
class GpuImageTest {
    private static final Pattern CUDA_BASE =
            Pattern.compile("nvidia/cuda:(\\d+\\.\\d+)\\.\\d+-base-ubuntu[0-9.]+");

    /**
     * Minimum Linux driver branch per CUDA minor (NVIDIA's CUDA toolkit release notes, table 3).
     */
    private static final Map<String, Integer> MIN_DRIVER =
            Map.of("12.4", 550, "12.5", 555, "12.6", 560, "12.8", 570, "12.9", 575);

    private static String arg(Dockerfile file, String name) {
        return file.instructions().stream()
                .filter(i -> i.keyword().equals("ARG") && i.args().startsWith(name + "="))
                .map(i -> i.args().substring(name.length() + 1))
                .findFirst()
                .orElseThrow(
                        () ->
                                new AssertionError(
                                        "no ARG " + name + "=... in " + DockerfileTest.DOCKERFILE));
    }

    static String cudaVersion() throws IOException {
        Matcher m = CUDA_BASE.matcher(arg(Dockerfile.read(DockerfileTest.DOCKERFILE), "CUDA_BASE"));
        assertTrue(m.matches(), "CUDA_BASE is an nvidia/cuda *base* image: " + m);
        return m.group(1);
    }

    @Test
    void gpuBaseIsTheCudaBaseImageOfLibtorchsCudaVersion() throws IOException {
        Dockerfile file = Dockerfile.read(DockerfileTest.DOCKERFILE);
        String base = arg(file, "CUDA_BASE");
        // runtime/cudnn-runtime/devel add cuBLAS, cuDNN, ... which libtorch's zip already bundles.
        assertFalse(
                base.matches(".*(cudnn|runtime|devel).*"),
                "a second copy of the CUDA libraries: " + base);
        String flavor = arg(file, "PYTORCH_FLAVOR");
        assertEquals(
                "cu" + cudaVersion().replace(".", ""),
                flavor,
                "libtorch " + flavor + " on " + base);
        assertTrue(file.in("runtime-gpu", "FROM").get(0).args().startsWith("${CUDA_BASE}"));
    }

    @Test
    void gpuPackageLeavesOutTheCpuNativesJar() throws Exception {
        Document pom =
                DocumentBuilderFactory.newInstance()
                        .newDocumentBuilder()
                        .parse(Path.of("pom.xml").toFile());
        Element project = pom.getDocumentElement();
        NodeList all = project.getElementsByTagName("dependencies");
        for (int i = 0; i < all.getLength(); i++) {
            Element dependencies = (Element) all.item(i);
            assertFalse(
                    dependencies.getParentNode() == project
                            && declares(dependencies, "pytorch-native-cpu"),
                    "pytorch-native-cpu must not be an unconditional dependency");
        }
        Element profile = null;
        NodeList profiles = project.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            if (declares((Element) profiles.item(i), "pytorch-native-cpu")) {
                profile = (Element) profiles.item(i);
            }
        }
        assertNotNull(profile, "pom.xml: a profile brings pytorch-native-cpu");
        Element property = (Element) profile.getElementsByTagName("property").item(0);
        String name = property.getElementsByTagName("name").item(0).getTextContent().strip();
        String value = property.getElementsByTagName("value").item(0).getTextContent().strip();
        assertTrue(
                name.startsWith("env.") && value.startsWith("!"),
                "activated unless env says otherwise: " + name);
        String setting = name.substring(4) + "=" + value.substring(1);

        Dockerfile file = Dockerfile.read(DockerfileTest.DOCKERFILE);
        assertEquals("build-${VARIANT} AS build", file.in("build", "FROM").get(0).args());
        assertTrue(
                env(file, "build-gpu").contains(setting),
                "gpu build sets " + setting + ": " + env(file, "build-gpu"));
        assertFalse(env(file, "build-cpu").contains(name.substring(4)), "cpu build keeps the jar");
        assertFalse(
                env(file, "build").contains(name.substring(4)),
                "the shared build stage decides nothing");
    }

    @Test
    void runtimeStageChecksThatEveryNativeLibraryResolvesOnItsBase() throws IOException {
        Dockerfile file = Dockerfile.read(DockerfileTest.DOCKERFILE);
        List<Dockerfile.Instruction> runtime =
                file.instructions().stream()
                        .filter(i -> i.stage().equals(file.finalStage()))
                        .toList();
        int copy = indexOf(runtime, "COPY", "/opt/djl /opt/djl");
        int check = indexOf(runtime, "RUN", "check-natives.sh /opt/djl");
        assertTrue(
                copy >= 0 && check > copy,
                "check-natives.sh runs on /opt/djl after it is copied in");
        assertTrue(Files.isExecutable(Path.of("docker/check-natives.sh")));
    }

    @Test
    void theDriverTheCudaVersionNeedsIsWrittenWhereOperatorsLook() throws IOException {
        String cuda = cudaVersion();
        Integer driver = MIN_DRIVER.get(cuda);
        assertNotNull(
                driver, "CUDA " + cuda + ": add its minimum driver to MIN_DRIVER and to the docs");
        for (String doc :
                List.of(
                        "README.md",
                        "docker/README.md",
                        "helm/csm-server/README.md",
                        "helm/csm-server/values.yaml",
                        "docker/Dockerfile")) {
            String text = Files.readString(Path.of(doc));
            assertTrue(
                    text.contains("CUDA " + cuda) && text.contains("driver " + driver),
                    doc
                            + " says the image needs NVIDIA driver "
                            + driver
                            + " or newer (CUDA "
                            + cuda
                            + ")");
        }
        String dockerReadme = Files.readString(Path.of("docker/README.md"));
        assertTrue(
                dockerReadme.contains(arg(Dockerfile.read(DockerfileTest.DOCKERFILE), "CUDA_BASE")),
                "docker/README.md names the CUDA base the Dockerfile uses");
    }

    private static boolean declares(Element scope, String artifactId) {
        NodeList ids = scope.getElementsByTagName("artifactId");
        for (int i = 0; i < ids.getLength(); i++) {
            if (ids.item(i).getTextContent().strip().equals(artifactId)) {
                return true;
            }
        }
        return false;
    }

    private static String env(Dockerfile file, String stage) {
        return String.join(
                " ", file.in(stage, "ENV").stream().map(Dockerfile.Instruction::args).toList());
    }

    private static int indexOf(
            List<Dockerfile.Instruction> instructions, String keyword, String text) {
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals(keyword)
                    && instructions.get(i).args().contains(text)) {
                return i;
            }
        }
        return -1;
    }
}
