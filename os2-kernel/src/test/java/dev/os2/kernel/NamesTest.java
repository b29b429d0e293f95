package dev.os2.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each name check answers as the regular expression it stands for, over random strings near the format. */
class NamesTest {

    private static final String ALPHABET = "abzAZ09._:@-_ \u00e9\u0130\u212a/\n";

    @Test
    void checksAnswerAsTheirExpressions() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        check(seed, rnd, "[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*", Names::isCapabilityId, 140);
        check(seed, rnd, "[A-Za-z0-9._:@-]{1,128}", Names::isSubject, 140);
        check(seed, rnd, "[A-Za-z][A-Za-z0-9_-]{0,31}", Names::isKind, 40);
        check(seed, rnd, "[a-z][a-z0-9_]{0,47}", Names::isEventName, 60);
        check(seed, rnd, "[A-Za-z_][A-Za-z0-9_]{0,63}", Names::isField, 80);
    }

    private static void check(long seed, SplittableRandom rnd, String regex, Predicate<String> loop, int maxLength) {
        Pattern p = Pattern.compile(regex);
        for (int i = 0; i < 20_000; i++) {
            int n = rnd.nextInt(4) == 0 ? rnd.nextInt(maxLength) : rnd.nextInt(6);
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < n; k++) {
                s.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
            }
            String name = s.toString();
            assertEquals(p.matcher(name).matches(), loop.test(name), "seed " + seed + ": " + regex + " on \"" + name + "\"");
        }
    }
}
