package dev.duplex.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** {@link ZlibPool}: what it counts, and the bound on what it keeps. */
class ZlibPoolTest {
    private final ZlibPool pool = new ZlibPool();

    @Test
    void borrowedAndMadeObjectsCountUntilGivenBackOrEnded() {
        Deflater borrowed = pool.borrowDeflater(6);
        Deflater own = pool.newDeflater(6);
        Inflater inflater = pool.borrowInflater();
        assertThat(pool.liveObjects()).isEqualTo(3);
        pool.giveBack(borrowed, 6);
        pool.end(own);
        pool.giveBack(inflater);
        assertThat(pool.liveObjects()).isZero();
        assertThat(pool.idleObjects()).isEqualTo(2);
    }

    @Test
    void aGivenBackObjectIsLentAgainReset() {
        Deflater d = pool.borrowDeflater(1);
        d.setInput(new byte[] {1, 2, 3});
        d.deflate(new byte[64], 0, 64, Deflater.SYNC_FLUSH);
        pool.giveBack(d, 1);
        Deflater again = pool.borrowDeflater(1);
        assertThat(again).isSameAs(d);
        assertThat(again.getTotalIn()).as("reset").isZero();
        assertThat(pool.borrowDeflater(2)).as("another level's queue").isNotSameAs(d);
    }

    @Test
    void atMostMaxIdleAreKeptPerQueue() {
        List<Deflater> deflaters = new ArrayList<>();
        List<Inflater> inflaters = new ArrayList<>();
        for (int i = 0; i < ZlibPool.MAX_IDLE + 3; i++) {
            deflaters.add(pool.borrowDeflater(-1));
            inflaters.add(pool.borrowInflater());
        }
        deflaters.forEach(d -> pool.giveBack(d, -1));
        inflaters.forEach(pool::giveBack);
        assertThat(pool.idleObjects()).isEqualTo(2 * ZlibPool.MAX_IDLE);
        assertThat(pool.liveObjects()).isZero();
    }

    @Test
    void twoPoolsShareNothing() {
        ZlibPool other = new ZlibPool();
        pool.giveBack(pool.borrowInflater());
        assertThat(other.idleObjects()).isZero();
        assertThat(other.borrowInflater()).isNotNull();
        assertThat(other.liveObjects()).isEqualTo(1);
        assertThat(pool.liveObjects()).isZero();
    }
}
