package dev.csmserver.deploy;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The JNA that {@code ai.djl:api} asks for (a dependency in its published POM) and the JNA a jar
 * really is (its manifest's {@code Bundle-Version}). DJL counts GPUs through JNA, and a BOM
 * imported before DJL's can silently swap in an older one; tests compare the two.
 */
final class DjlJna {
    private DjlJna() {}

    /**
     * The JNA version in ai.djl:api's POM: the jar's own META-INF/maven copy, the POM beside the
     * jar, or ~/.m2.
     */
    static String declaredVersion() throws Exception {
        Path pom = apiPom();
        Document doc =
                DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        Element project = doc.getDocumentElement();
        for (Element dependencies : children(project, "dependencies")) {
            for (Element d : children(dependencies, "dependency")) {
                if (text(d, "groupId").equals("net.java.dev.jna")
                        && text(d, "artifactId").equals("jna")) {
                    return resolve(project, text(d, "version"), pom);
                }
            }
        }
        throw new AssertionError(pom + " declares no net.java.dev.jna:jna dependency");
    }

    /** The version a JNA jar says it is (JNA's manifest carries {@code Bundle-Version: 5.17.0}). */
    static String versionOf(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            String v =
                    j.getManifest() == null
                            ? null
                            : j.getManifest().getMainAttributes().getValue("Bundle-Version");
            if (v == null) {
                throw new AssertionError(jar + " has no Bundle-Version in its manifest");
            }
            return v.strip();
        }
    }

    /** Whether the jar holds JNA's classes (any artifact name: jna, jna-jpms, a renamed copy). */
    static boolean isJna(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getEntry("com/sun/jna/Native.class") != null;
        }
    }

    /** The jar a class was loaded from. */
    static Path jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static Path apiPom() throws Exception {
        String version = Engine.getDjlVersion();
        Path jar = jarOf(Engine.class);
        List<String> tried = new ArrayList<>();
        Path extracted = embeddedPom(jar);
        if (extracted != null) {
            return extracted;
        }
        tried.add(jar + "!/META-INF/maven/ai.djl/api/pom.xml");
        Path sibling =
                jar.resolveSibling(jar.getFileName().toString().replaceFirst("\\.jar$", ".pom"));
        tried.add(sibling.toString());
        if (Files.isRegularFile(sibling)) {
            return sibling;
        }
        String repo =
                System.getProperty(
                        "maven.repo.local",
                        Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
        Path local = Path.of(repo, "ai", "djl", "api", version, "api-" + version + ".pom");
        tried.add(local.toString());
        if (Files.isRegularFile(local)) {
            return local;
        }
        throw new AssertionError("ai.djl:api " + version + " POM not found; tried " + tried);
    }

    private static Path embeddedPom(Path jar) throws IOException {
        if (!Files.isRegularFile(jar)) {
            return null;
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            ZipEntry e = j.getEntry("META-INF/maven/ai.djl/api/pom.xml");
            if (e == null) {
                return null;
            }
            Path out = Files.createTempFile("djl-api", ".pom");
            out.toFile().deleteOnExit();
            try (InputStream in = j.getInputStream(e)) {
                Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            return out;
        }
    }

    /** A literal version, or ${name} looked up in the POM's own properties. */
    private static String resolve(Element project, String version, Path pom) {
        if (!version.startsWith("${")) {
            return version;
        }
        String name = version.substring(2, version.length() - 1);
        for (Element props : children(project, "properties")) {
            String v = text(props, name);
            if (!v.isEmpty()) {
                return v;
            }
        }
        throw new AssertionError(
                pom + ": JNA version " + version + " is not a property of the POM itself");
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            Node n = nodes.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? "" : found.get(0).getTextContent().strip();
    }
}
