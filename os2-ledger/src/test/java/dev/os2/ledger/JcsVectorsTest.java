package dev.os2.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 8785 reference vectors (cyberphone/json-canonicalization {@code testdata}), read from
 * the repository's {@code testdata/} folder: {@code input/X.json} must canonicalize to exactly the bytes of
 * {@code output/X.json}, which {@code outhex/X.txt} spells in hex.
 */
class JcsVectorsTest {

    /** The reference suite has six vectors; fewer means a wrong path or a damaged copy. */
    private static final int MIN_VECTORS = 6;

    static Path jcsDir() {
        String testdata = System.getProperty("os2.testdata.dir");
        assertNotNull(testdata, "system property os2.testdata.dir is not set (the build sets it)");
        return Path.of(testdata, "jcs");
    }

    static List<String> vectorNames() throws IOException {
        Path input = jcsDir().resolve("input");
        assertTrue(Files.isDirectory(input), "no JCS vectors at " + input);
        try (Stream<Path> files = Files.list(input)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theVectorFolderIsComplete() throws IOException {
        List<String> names = vectorNames();
        assertTrue(names.size() >= MIN_VECTORS, "expected at least " + MIN_VECTORS + " JCS vectors, found " + names);
        for (String name : names) {
            assertTrue(Files.isRegularFile(jcsDir().resolve("output").resolve(name + ".json")), "no output for " + name);
            assertTrue(Files.isRegularFile(jcsDir().resolve("outhex").resolve(name + ".txt")), "no outhex for " + name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectorNames")
    void canonicalizesByteForByte(String name) throws IOException {
        byte[] input = Files.readAllBytes(jcsDir().resolve("input").resolve(name + ".json"));
        byte[] expected = Files.readAllBytes(jcsDir().resolve("output").resolve(name + ".json"));
        byte[] expectedFromHex = HexFormat.of().parseHex(
                Files.readString(jcsDir().resolve("outhex").resolve(name + ".txt")).replaceAll("\\s+", ""));
        assertArrayEquals(expected, expectedFromHex, "output/" + name + ".json and outhex/" + name + ".txt disagree");

        CanonicalJson fromBytes = CanonicalJson.parse(input);
        assertArrayEquals(expected, fromBytes.toUtf8(), () -> "from UTF-8 bytes: got " + fromBytes.text());
        CanonicalJson fromText = CanonicalJson.parse(new String(input, StandardCharsets.UTF_8));
        assertArrayEquals(expected, fromText.toUtf8(), () -> "from a string: got " + fromText.text());
        assertEquals(expected.length, fromText.utf8Length());

        // Canonical text is a fixed point, and the Jackson tree it gives back canonicalizes the same.
        assertEquals(fromText, CanonicalJson.parse(fromText.text()));
        assertEquals(fromText, CanonicalJson.of(fromText.toJsonNode()));
    }
}
