package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Mask keys: fresh for every frame, from either source. */
class MaskKeySourceTest {
    private final MaskKeySource keystream = MaskKeySource.keystream(new SecureRandom());

    @Test
    void theSharedKeystreamGivesDistinctKeysAcrossRefills() {
        // 10,000 keys span several refills of the 1,024-key buffer; among 2^32 values, a repeat
        // in 10,000 draws has a probability of about 1 %: allow one, not a pattern.
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            seen.add(keystream.nextKey());
        }
        assertThat(seen.size()).isGreaterThanOrEqualTo(9_999);
    }

    @Test
    void twoKeystreamsSeededDifferentlyDiffer() {
        MaskKeySource a = MaskKeySource.keystream(new SecureRandom());
        MaskKeySource b = MaskKeySource.keystream(new SecureRandom());
        int same = 0;
        for (int i = 0; i < 1_000; i++) {
            same += a.nextKey() == b.nextKey() ? 1 : 0;
        }
        assertThat(same).isLessThanOrEqualTo(1);
    }

    @Test
    void everyBitVariesInTheKeystream() {
        int ones = 0;
        int zeros = 0;
        for (int i = 0; i < 1_000; i++) {
            int k = keystream.nextKey();
            ones |= k;
            zeros |= ~k;
        }
        assertThat(ones).as("bits ever set").isEqualTo(-1);
        assertThat(zeros).as("bits ever clear").isEqualTo(-1);
    }

    @Test
    void aGivenSecureRandomIsReadBigEndianInBatches() {
        SecureRandom reference = deterministic(42);
        byte[] firstBatch = new byte[16];
        reference.nextBytes(firstBatch);
        MaskKeySource keys = MaskKeySource.of(deterministic(42));
        for (int i = 0; i < 4; i++) {
            int k = keys.nextKey();
            int want = ((firstBatch[4 * i] & 0xFF) << 24) | ((firstBatch[4 * i + 1] & 0xFF) << 16)
                    | ((firstBatch[4 * i + 2] & 0xFF) << 8) | (firstBatch[4 * i + 3] & 0xFF);
            assertThat(k).isEqualTo(want);
        }
        Set<Integer> later = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            later.add(keys.nextKey());
        }
        assertThat(later.size()).as("keys after the first batch keep changing").isGreaterThan(190);
    }

    private static SecureRandom deterministic(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
