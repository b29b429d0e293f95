package dev.os2.shell.python;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SourceCheckTest {

    @Test
    void bracketsInStringsAndCommentsDoNotCount() {
        assertEquals(2, SourceCheck.maxBracketDepth("f([1, '((((', \"[[[\"]) # ((((((\n"));
        assertEquals(1, SourceCheck.maxBracketDepth("x = ('''(((\n((('''  )\ny = r'\\'(((' "));
        assertEquals(0, SourceCheck.maxBracketDepth("s = \"\"\"[[[\n\\\"\"\"[[[\"\"\"\n"));
    }

    @Test
    void deepNestingIsRefusedWithTheLimitInTheReason() {
        SandboxConfig config = SandboxConfig.defaults().withNestingMax(10);
        assertTrue(SourceCheck.refusal("x = " + "(".repeat(10) + "1" + ")".repeat(10), config).isEmpty());
        String reason = SourceCheck.refusal("x = " + "[".repeat(11) + "]".repeat(11), config).orElseThrow();
        assertEquals("source nests brackets 11 deep; the limit is 10", reason);
    }

    @Test
    void largeSourceIsRefusedByItsUtf8Size() {
        SandboxConfig config = SandboxConfig.defaults().withSourceBytesMax(10);
        assertTrue(SourceCheck.refusal("x = 'éé'", config).isEmpty());
        assertEquals("source is 12 bytes; the limit is 10", SourceCheck.refusal("x = 'ééé'", config).orElseThrow());
    }
}
