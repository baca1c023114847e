package org.voxkd.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * RIFF/WAVE reading and writing. Reads PCM 8/16/24/32-bit integer and IEEE float 32/64-bit, plain or
 * WAVE_FORMAT_EXTENSIBLE, any channel count (averaged to mono). Anything else — an empty or truncated file,
 * a file that is not RIFF/WAVE, a missing chunk, an unsupported encoding, a rate other than the one
 * required, a float sample that is NaN or infinite — is a {@link WavException} naming the file and the problem.
 * Nothing is ever zero-filled.
 */
public final class Wav {
    private Wav() {}

    private static final int PCM = 1, IEEE_FLOAT = 3, EXTENSIBLE = 0xFFFE;

    /** Header facts of a WAV file. */
    public record Info(int sampleRate, int channels, int bitsPerSample, boolean isFloat, long frames, long dataOffset) {
        public double seconds() {
            return frames / (double) sampleRate;
        }
    }

    /** Reads a 16 kHz file as mono float samples in [-1, 1). */
    public static float[] read(Path file) throws IOException {
        return read(file, FrontEnd.SAMPLE_RATE);
    }

    /** Reads a file as mono float samples, requiring the given rate (≤ 0: any rate). */
    public static float[] read(Path file, int requiredRate) throws IOException {
        byte[] bytes = readBytes(file);
        Info info = parse(file, bytes, bytes.length);
        checkRate(file, info, requiredRate);
        checkTail(file, info, bytes.length, bytes, (int) Math.min(bytes.length, dataEnd(info)));
        return decode(file, bytes, info);
    }

    /**
     * Reads only the header (the first 64 KiB, then the file size) and checks that the data chunk is
     * complete: the cheap check run over every listed file before training or evaluation.
     */
    public static Info probe(Path file, int requiredRate) throws IOException {
        long size = size(file);
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes((int) Math.min(size, 1 << 16));
        }
        Info info = parse(file, head, size);
        checkRate(file, info, requiredRate);
        long end = dataEnd(info);
        if (size - end >= 8) { // the bytes after the data chunk, read where they are
            byte[] next = new byte[8];
            try (var ch = java.nio.channels.FileChannel.open(file)) {
                java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(next);
                while (bb.hasRemaining() && ch.read(bb, end + bb.position()) > 0) { /* positional reads until full */ }
            }
            checkTail(file, info, size, next, -1);
        }
        return info;
    }

    private static byte[] readBytes(Path file) throws IOException {
        size(file);
        return Files.readAllBytes(file);
    }

    private static long size(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new WavException(file, "no such file");
        }
        if (Files.isDirectory(file)) throw new WavException(file, "is a directory, not a WAV file");
        if (size == 0) throw new WavException(file, "empty file (0 bytes)");
        return size;
    }

    private static void checkRate(Path file, Info info, int requiredRate) throws WavException {
        if (requiredRate > 0 && info.sampleRate() != requiredRate) {
            throw new WavException(file, "sample rate is " + info.sampleRate() + " Hz but voxkd needs " + requiredRate
                    + " Hz; convert it first, e.g.  sox '" + file + "' -r " + requiredRate + " out.wav"
                    + "   or   ffmpeg -i '" + file + "' -ar " + requiredRate + " out.wav");
        }
    }

    /**
     * Parses the chunk structure. {@code bytes} holds at least the start of the file, {@code fileSize} is
     * the true size; the data chunk must lie inside the file.
     */
    static Info parse(Path file, byte[] bytes, long fileSize) throws WavException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 12) throw new WavException(file, "truncated: " + bytes.length + " bytes is too short for a RIFF/WAVE header");
        String riff = fourcc(b, 0), wave = fourcc(b, 8);
        if (!riff.equals("RIFF") || !wave.equals("WAVE")) {
            String what = riff.equals("RF64") ? "an RF64 file (not supported; convert to a plain WAV)"
                    : riff.equals("RIFX") ? "a big-endian RIFX file (not supported)" : "not a RIFF/WAVE file (starts with '" + printable(bytes) + "')";
            throw new WavException(file, what);
        }
        int format = -1, channels = 0, rate = 0, blockAlign = 0, bits = 0;
        long pos = 12;
        while (true) {
            if (pos + 8 > fileSize) {
                throw new WavException(file, format < 0 ? "no 'fmt ' chunk (file ends after " + fileSize + " bytes)"
                        : "no 'data' chunk (truncated or malformed after " + fileSize + " bytes)");
            }
            if (pos + 8 > bytes.length) throw new WavException(file, "header longer than " + bytes.length + " bytes; not supported");
            String id = fourcc(b, (int) pos);
            long size = b.getInt((int) pos + 4) & 0xFFFFFFFFL;
            long body = pos + 8;
            if (id.equals("fmt ")) {
                if (size < 16) throw new WavException(file, "'fmt ' chunk too short (" + size + " bytes)");
                if (body + size > bytes.length) throw new WavException(file, "truncated inside the 'fmt ' chunk");
                int p = (int) body;
                format = b.getShort(p) & 0xFFFF;
                channels = b.getShort(p + 2) & 0xFFFF;
                rate = b.getInt(p + 4);
                blockAlign = b.getShort(p + 12) & 0xFFFF;
                bits = b.getShort(p + 14) & 0xFFFF;
                if (format == EXTENSIBLE) {
                    if (size < 40) throw new WavException(file, "WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk too short (" + size + " bytes)");
                    format = b.getShort(p + 24) & 0xFFFF; // first two bytes of the sub-format GUID
                }
            } else if (id.equals("data")) {
                if (format < 0) throw new WavException(file, "'data' chunk before any 'fmt ' chunk");
                boolean isFloat = format == IEEE_FLOAT;
                if (format != PCM && format != IEEE_FLOAT) throw new WavException(file, "unsupported encoding (format tag 0x" + Integer.toHexString(format) + "); only PCM and IEEE float are read — convert with  sox in.wav -e signed-integer -b 16 out.wav");
                if (isFloat ? bits != 32 && bits != 64 : bits != 8 && bits != 16 && bits != 24 && bits != 32) {
                    throw new WavException(file, "unsupported " + (isFloat ? "float" : "PCM") + " sample size of " + bits + " bits");
                }
                if (channels < 1) throw new WavException(file, "channel count is " + channels);
                if (rate <= 0) throw new WavException(file, "sample rate is " + rate);
                if (blockAlign != channels * (bits / 8)) throw new WavException(file, "block align " + blockAlign + " does not match " + channels + " channels of " + bits + " bits");
                long available = fileSize - body;
                if (size == 0xFFFFFFFFL) size = available - available % blockAlign; // streamed writer: data runs to the end
                if (size > available) throw new WavException(file, "truncated: the 'data' chunk declares " + size + " bytes but only " + available + " are present");
                if (size % blockAlign != 0) throw new WavException(file, "truncated: 'data' chunk of " + size + " bytes is not a whole number of " + blockAlign + "-byte frames");
                if (size == 0) throw new WavException(file, "no audio: the 'data' chunk is empty");
                return new Info(rate, channels, bits, isFloat, size / blockAlign, body);
            }
            pos = body + size + (size & 1);
        }
    }

    /** Where the data chunk ends (after its pad byte). */
    private static long dataEnd(Info info) {
        long bytes = info.frames() * info.channels() * (info.bitsPerSample() / 8);
        return info.dataOffset() + bytes + (bytes & 1);
    }

    /**
     * The header must agree with the file's size. Bytes after the data chunk are allowed when they are further chunks
     * (LIST, id3 …: a four-character id and a size that fits the file) or fewer than 8 (padding); anything else means the
     * data chunk's declared size is wrong — a header declaring 100 bytes over 96,000 bytes of audio would otherwise be
     * scored silently as 3 ms. {@code bytes} holds the bytes at the data chunk's end (from {@code at}; −1: from 0).
     */
    static void checkTail(Path file, Info info, long fileSize, byte[] bytes, int at) throws WavException {
        long end = dataEnd(info), trailing = fileSize - end;
        if (trailing < 8) return;
        int p = Math.max(at, 0);
        long pos = end;
        while (pos + 8 <= fileSize && p + 8 <= bytes.length) {
            boolean id = true;
            for (int i = 0; i < 4; i++) id &= bytes[p + i] >= 0x20 && bytes[p + i] < 0x7F;
            long size = ByteBuffer.wrap(bytes, p + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
            if (!id || pos + 8 + size > fileSize) {
                long declared = info.frames() * info.channels() * (info.bitsPerSample() / 8);
                throw new WavException(file, String.format(java.util.Locale.ROOT, "the header disagrees with the file size: the 'data' chunk declares "
                        + "%,d bytes (%.3f s) but %,d more bytes follow it that are not a chunk; the header is wrong or the file was damaged "
                        + "(rewrite the header with the true data size)", declared, info.seconds(), fileSize - end));
            }
            if (at < 0) return; // only the first chunk after the data was read
            long next = 8 + size + (size & 1);
            if (p + next > Integer.MAX_VALUE) return;
            pos += next;
            p += (int) next;
        }
    }

    /** Samples as floats; a float file holding NaN or infinity (or a double beyond float range) is an error naming the sample. */
    private static float[] decode(Path file, byte[] bytes, Info info) throws WavException {
        int channels = info.channels(), bytesPer = info.bitsPerSample() / 8;
        int frames = Math.toIntExact(info.frames());
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[frames];
        int p = Math.toIntExact(info.dataOffset());
        for (int f = 0; f < frames; f++) {
            double sum = 0;
            for (int c = 0; c < channels; c++, p += bytesPer) {
                sum += switch (info.isFloat() ? -bytesPer : bytesPer) {
                    case 1 -> ((bytes[p] & 0xFF) - 128) / 128.0;
                    case 2 -> b.getShort(p) / 32768.0;
                    case 3 -> ((bytes[p] & 0xFF) | (bytes[p + 1] & 0xFF) << 8 | bytes[p + 2] << 16) / 8388608.0;
                    case 4 -> b.getInt(p) / 2147483648.0;
                    case -4 -> b.getFloat(p);
                    case -8 -> b.getDouble(p);
                    default -> throw new IllegalStateException();
                };
            }
            out[f] = (float) (sum / channels);
            if (!Float.isFinite(out[f]))
                throw new WavException(file, String.format("sample %d (%.3f s) is %s: a float WAV must hold finite samples", f, f / (double) info.sampleRate(),
                        Double.isNaN(sum) ? "NaN" : "infinite or beyond float range"));
        }
        return out;
    }

    /** Quantises to 16-bit PCM: round half away from zero of x·32768, clipped to [-32768, 32767]. */
    public static short toPcm16(double x) {
        long v = Math.round(x * 32768.0);
        return (short) Math.max(-32768, Math.min(32767, v));
    }

    /** The bytes of a mono 16-bit PCM WAV file (44-byte canonical header). */
    public static byte[] encodePcm16(short[] samples, int sampleRate) {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + dataBytes).put(new byte[] {'W', 'A', 'V', 'E'});
        b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) PCM).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataBytes);
        for (short s : samples) b.putShort(s);
        return b.array();
    }

    /** Writes mono 16-bit PCM (samples quantised with {@link #toPcm16}). */
    public static void write(Path file, float[] samples, int sampleRate) throws IOException {
        short[] q = new short[samples.length];
        for (int i = 0; i < q.length; i++) q[i] = toPcm16(samples[i]);
        Files.write(file, encodePcm16(q, sampleRate));
    }

    private static String fourcc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) c[i] = (char) (b.get(at + i) & 0xFF);
        return new String(c);
    }

    private static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(4, bytes.length); i++) {
            int c = bytes[i] & 0xFF;
            s.append(c >= 32 && c < 127 ? (char) c : '?');
        }
        return s.toString();
    }
}
