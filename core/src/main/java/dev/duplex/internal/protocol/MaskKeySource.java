package dev.duplex.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a client's mask keys come from: RFC 6455 §5.3 wants a fresh key for every frame, drawn
 * from a strong source of entropy, so that a script cannot predict what its frames will look
 * like on the wire.
 */
public interface MaskKeySource {
    /** The next 32-bit mask key. */
    int nextKey();

    /**
     * Duplex's source: an AES-128 keystream in counter mode (the construction of NIST's CTR_DRBG)
     * whose key and counter come from {@code seed}. It is as unpredictable as the SecureRandom it
     * was seeded from, and, unlike a SecureRandom, it allocates nothing per key and holds no state
     * per connection, so many connections share one (the transport: one per event loop, in
     * {@link CodecResources}). Thread-safe.
     */
    static MaskKeySource keystream(SecureRandom seed) {
        return new Keystream(seed);
    }

    /**
     * Keys drawn from {@code random} in batches (for tests that want their own generator). Not
     * thread-safe: one per connection.
     */
    static MaskKeySource of(SecureRandom random) {
        return new Batched(random);
    }

    /** Keys read four bytes at a time from an array that a subclass fills again when used up. */
    abstract class Refilled implements MaskKeySource {
        private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

        private byte[] keys = new byte[0];
        private int index;

        /** Fills {@code used} (or a new array, to change its size) with fresh random bytes. */
        abstract byte[] refill(byte[] used);

        @Override
        public int nextKey() {
            if (index + 4 > keys.length) {
                keys = refill(keys);
                index = 0;
            }
            int key = (int) INT.get(keys, index);
            index += 4;
            return key;
        }
    }

    /** An AES-CTR keystream, refilled 1,024 keys at a time. */
    final class Keystream extends Refilled {
        private final Cipher cipher;
        private final byte[] zeros = new byte[4096];

        Keystream(SecureRandom seed) {
            byte[] key = new byte[16];
            byte[] counter = new byte[16];
            seed.nextBytes(key);
            seed.nextBytes(counter);
            try {
                cipher = Cipher.getInstance("AES/CTR/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counter));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("This JVM has no AES/CTR cipher (every Java SE JVM must)", e);
            }
        }

        @Override
        public synchronized int nextKey() {
            return super.nextKey();
        }

        @Override
        byte[] refill(byte[] used) {
            byte[] stream = used.length == zeros.length ? used : new byte[zeros.length];
            try {
                cipher.update(zeros, 0, zeros.length, stream, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES/CTR failed", e);
            }
            return stream;
        }
    }

    /** Keys from a SecureRandom: a first small batch (many connections mask only a few frames), then 64 at a time. */
    final class Batched extends Refilled {
        private final SecureRandom random;

        Batched(SecureRandom random) {
            this.random = random;
        }

        @Override
        byte[] refill(byte[] used) {
            byte[] keys = used.length >= 256 ? used : new byte[used.length == 0 ? 16 : 256];
            random.nextBytes(keys);
            return keys;
        }
    }
}
