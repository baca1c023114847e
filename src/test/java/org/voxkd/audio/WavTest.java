package org.voxkd.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {
    @TempDir Path dir;

    /** A WAV file with the given format tag, sample size, channels, rate and raw sample bytes. */
    static byte[] wav(int format, int bits, int channels, int rate, byte[] data, boolean extensible, boolean extraChunk) {
        int fmtSize = extensible ? 40 : 16;
        byte[] list = extraChunk ? new byte[] {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0} : new byte[0];
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + fmtSize + list.length + 8 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(b.capacity() - 8).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(fmtSize).putShort((short) (extensible ? 0xFFFE : format)).putShort((short) channels)
                .putInt(rate).putInt(rate * channels * bits / 8).putShort((short) (channels * bits / 8)).putShort((short) bits);
        if (extensible) {
            b.putShort((short) 22).putShort((short) bits).putInt(0).putShort((short) format)
                    .put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71});
        }
        b.put(list);
        b.put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    static byte[] le(int bytesPer, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * bytesPer).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) for (int i = 0; i < bytesPer; i++) b.put((byte) (v >> (8 * i)));
        return b.array();
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void readsEveryEncodingAndMixesChannels() throws IOException {
        // stereo 16-bit: frames (16384, -16384) → 0 and (32767, 32767) → 32767/32768
        float[] s16 = Wav.read(file("s16.wav", wav(1, 16, 2, 16000, le(2, 16384, -16384, 32767, 32767), false, true)));
        assertArrayEquals(new float[] {0f, 32767f / 32768f}, s16, 0f);
        float[] s24 = Wav.read(file("s24.wav", wav(1, 24, 1, 16000, le(3, 0x400000, 0xC00000, 0x7FFFFF), false, false)));
        assertArrayEquals(new float[] {0.5f, -0.5f, (float) (8388607 / 8388608.0)}, s24, 0f);
        float[] s32 = Wav.read(file("s32.wav", wav(1, 32, 1, 16000, le(4, 0x40000000L, 0x80000000L), true, false)));
        assertArrayEquals(new float[] {0.5f, -1f}, s32, 0f);
        ByteBuffer f = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(-0.75f).putFloat(0.5f);
        float[] f32 = Wav.read(file("f32.wav", wav(3, 32, 3, 16000, f.array(), true, false)));
        assertArrayEquals(new float[] {0f}, f32, 1e-7f);
        float[] u8 = Wav.read(file("u8.wav", wav(1, 8, 1, 16000, new byte[] {(byte) 192, 64}, false, false)));
        assertArrayEquals(new float[] {0.5f, -0.5f}, u8, 0f);
        Wav.Info info = Wav.probe(dir.resolve("s16.wav"), 16000);
        assertEquals(2, info.channels());
        assertEquals(2, info.frames());
    }

    @Test
    void writeThenReadRoundTrips() throws IOException {
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.01) * 0.9f;
        Path p = dir.resolve("rt.wav");
        Wav.write(p, x, 16000);
        assertEquals(44 + 2000, Files.size(p));
        float[] y = Wav.read(p);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 0.5 / 32768 + 1e-7);
        assertEquals(32767, Wav.toPcm16(1.5));
        assertEquals(-32768, Wav.toPcm16(-1.5));
    }

    private String error(Path p) {
        return assertThrows(WavException.class, () -> Wav.read(p)).getMessage();
    }

    @Test
    void emptyFile() throws IOException {
        Path p = file("empty.wav", new byte[0]);
        String m = error(p);
        assertTrue(m.startsWith(p.toString()) && m.contains("empty"), m);
    }

    @Test
    void notRiffWave() throws IOException {
        Path p = file("text.wav", "hello, this is text".getBytes());
        String m = error(p);
        assertTrue(m.startsWith(p.toString()) && m.contains("not a RIFF/WAVE"), m);
        assertTrue(error(file("tiny.wav", new byte[] {'R', 'I'})).contains("truncated"));
    }

    @Test
    void truncatedData() throws IOException {
        byte[] full = wav(1, 16, 1, 16000, le(2, 1, 2, 3, 4, 5, 6, 7, 8), false, false);
        Path p = file("trunc.wav", Arrays.copyOf(full, full.length - 5));
        String m = error(p);
        assertTrue(m.startsWith(p.toString()) && m.contains("truncated") && m.contains("declares 16 bytes but only 11"), m);
        // the cheap probe reports the same without reading the samples
        assertTrue(assertThrows(WavException.class, () -> Wav.probe(p, 16000)).getMessage().contains("truncated"));
        // cut inside the header
        assertTrue(error(file("head.wav", Arrays.copyOf(full, 30))).contains(" chunk"));
        // odd byte count for 16-bit frames
        byte[] odd = wav(1, 16, 1, 16000, new byte[] {1, 2, 3}, false, false);
        assertTrue(error(file("odd.wav", odd)).contains("not a whole number"));
        // no samples at all
        assertTrue(error(file("nodata.wav", wav(1, 16, 1, 16000, new byte[0], false, false))).contains("'data' chunk is empty"));
    }

    @Test
    void unsupportedFormat() throws IOException {
        String alaw = error(file("alaw.wav", wav(6, 8, 1, 16000, new byte[] {1, 2}, false, false)));
        assertTrue(alaw.contains("unsupported encoding") && alaw.contains("0x6"), alaw);
        String pcm12 = error(file("p12.wav", wav(1, 12, 1, 16000, new byte[] {1, 2}, false, false)));
        assertTrue(pcm12.contains("unsupported PCM sample size of 12 bits"), pcm12);
        String f16 = error(file("f16.wav", wav(3, 16, 1, 16000, new byte[] {1, 2}, true, false)));
        assertTrue(f16.contains("unsupported float sample size of 16 bits"), f16);
    }

    @Test
    void wrongSampleRateNamesTheConversion() throws IOException {
        Path p = file("cd.wav", wav(1, 16, 2, 44100, le(2, 1, 2), false, false));
        String m = error(p);
        assertTrue(m.startsWith(p.toString()) && m.contains("44100 Hz") && m.contains("sox '" + p + "' -r 16000 out.wav")
                && m.contains("ffmpeg -i"), m);
        assertEquals(1, Wav.read(p, 44100).length);
        assertEquals(1, Wav.read(p, 0).length);
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.wav");
        assertTrue(error(p).contains("no such file"));
    }

    /** A float WAV holding NaN or infinity is refused, naming the file and the sample, never decoded into NaN features. */
    @Test
    void nonFiniteFloatSamplesAreErrors() throws IOException {
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            ByteBuffer f = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.25f).putFloat(0.1f).putFloat(bad).putFloat(0.5f);
            Path p = file("bad.wav", wav(3, 32, 1, 16000, f.array(), false, false));
            WavException e = assertThrows(WavException.class, () -> Wav.read(p));
            assertTrue(e.getMessage().startsWith(p + ": sample 2 "), e.getMessage());
        }
        // a double beyond float range would become infinite
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.5).putDouble(1e300);
        Path p = file("huge.wav", wav(3, 64, 1, 16000, d.array(), false, false));
        WavException e = assertThrows(WavException.class, () -> Wav.read(p));
        assertTrue(e.getMessage().contains("sample 1") && e.getMessage().contains("beyond float range"), e.getMessage());
    }
}
