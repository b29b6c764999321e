package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.Server;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The library jars a team embeds (buffers, affinity, core) leave logging to the application: they carry no slf4j
 * binding and no logging configuration, and their POMs declare no logging backend outside test scope (only
 * {@code slf4j-api}). The binding and {@code simplelogger.properties} belong to the launcher jar alone.
 *
 * <p>An integration test of the deploy module because it needs the packaged jars: it runs after buffers, affinity
 * and core have been through their package phase, and finds each jar from a class of the module on the classpath.
 */
class LibraryArtifactsIT
{
    /** Entries that make a jar pick or configure the application's logging. */
    private static final Pattern FORBIDDEN_ENTRY = Pattern.compile(
        "org/slf4j/.*" +                                            // a binding (org/slf4j/impl/) or a shaded slf4j
        "|META-INF/services/org\\.slf4j\\.spi\\.SLF4JServiceProvider" + // an slf4j 2 provider
        "|(.*/)?simplelogger\\.properties" +
        "|(.*/)?logback(-test)?(\\..*)?\\.(xml|groovy)" +
        "|(.*/)?log4j2?(-test)?(\\..*)?\\.(xml|json|ya?ml|properties)" +
        "|(.*/)?logging\\.properties");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"coreloop-buffers", "coreloop-affinity", "coreloop-core"})
    void libraryJarShouldCarryNoLoggingBindingNorConfig(final String artifactId) throws Exception
    {
        final Path jar = jarOf(artifactId);
        final List<String> forbidden = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile()))
        {
            file.stream().map(JarEntry::getName).filter(name -> FORBIDDEN_ENTRY.matcher(name).matches())
                .forEach(forbidden::add);
        }
        assertThat(forbidden).as("logging bindings or configuration in %s", jar).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"coreloop-buffers", "coreloop-affinity", "coreloop-core"})
    void libraryPomShouldDeclareOnlySlf4jApiForLogging(final String artifactId) throws Exception
    {
        final Path jar = jarOf(artifactId);
        final List<String> backends = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile()))
        {
            final JarEntry pom = file.getJarEntry("META-INF/maven/dev.coreloop/" + artifactId + "/pom.xml");
            assertThat(pom).as("the POM inside %s", jar).isNotNull();
            final Document document;
            try (InputStream in = file.getInputStream(pom))
            {
                document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
            }
            final NodeList dependencies = document.getElementsByTagName("dependency");
            for (int i = 0; i < dependencies.getLength(); i++)
            {
                final Element dependency = (Element)dependencies.item(i);
                final String coordinates = text(dependency, "groupId") + ":" + text(dependency, "artifactId");
                if (!"test".equals(text(dependency, "scope")) && isLoggingBackend(coordinates))
                {
                    backends.add(coordinates);
                }
            }
        }
        assertThat(backends).as("logging backends %s's POM declares outside test scope", artifactId).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"coreloop-buffers", "coreloop-affinity", "coreloop-core"})
    void libraryJarShouldHaveSourcesAndJavadocBesideIt(final String artifactId) throws Exception
    {
        final Path jar = jarOf(artifactId);
        final String base = jar.getFileName().toString().replaceFirst("\\.jar$", "");
        assertThat(jar.resolveSibling(base + "-sources.jar")).isRegularFile();
        assertThat(jar.resolveSibling(base + "-javadoc.jar")).isRegularFile();
    }

    private static boolean isLoggingBackend(final String coordinates)
    {
        return (coordinates.startsWith("org.slf4j:") && !coordinates.equals("org.slf4j:slf4j-api")) ||
            coordinates.startsWith("ch.qos.logback:") ||
            coordinates.startsWith("org.apache.logging.log4j:") ||
            coordinates.startsWith("log4j:") ||
            coordinates.startsWith("commons-logging:");
    }

    private static String text(final Element parent, final String tag)
    {
        final NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }

    /** The packaged jar of {@code artifactId}, found through a class it holds on the test classpath. */
    private static Path jarOf(final String artifactId) throws URISyntaxException
    {
        final Class<?> type;
        switch (artifactId)
        {
            case "coreloop-buffers":
                type = ByteRing.class;
                break;
            case "coreloop-affinity":
                type = CpuTopology.class;
                break;
            default:
                type = Server.class;
                break;
        }
        final Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(Files.isRegularFile(location) && location.getFileName().toString().startsWith(artifactId))
            .as("%s should come from the packaged %s jar (run through `mvn verify`), but it comes from %s",
                type.getName(), artifactId, location)
            .isTrue();
        return location;
    }
}
