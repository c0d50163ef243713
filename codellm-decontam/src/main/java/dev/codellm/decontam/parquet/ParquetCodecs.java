package dev.codellm.decontam.parquet;

import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Page decompression without Hadoop. Why: parquet-java's default codec factory builds a Hadoop
 * {@code Configuration} and Hadoop codec classes (30 MB of shaded Hadoop runtime, XML parsing);
 * the codec libraries parquet-java itself depends on (snappy-java; aircompressor for ZSTD and
 * LZ4_RAW) and the JDK's gzip need none of it. snappy-java (native) for the common codec because
 * aircompressor uses {@code sun.misc.Unsafe}, which JDK 25 warns about once per run; zstd-jni is
 * left out (7 MB of natives for every platform) since ZSTD files are rarer.
 * Read-only: asking for a compressor is a programming error.
 */
final class ParquetCodecs implements CompressionCodecFactory {
    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new PageDecompressor(codec);
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        throw new UnsupportedOperationException("codellm only reads Parquet");
    }

    @Override
    public void release() {}

    private static final class PageDecompressor implements BytesInputDecompressor {
        private final CompressionCodecName codec;

        PageDecompressor(CompressionCodecName codec) {
            this.codec = codec;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            if (codec == CompressionCodecName.UNCOMPRESSED) return bytes;
            byte[] in = bytes.toByteArray();
            byte[] out = new byte[uncompressedSize];
            int n = switch (codec) {
                case SNAPPY -> codecCall(() -> Snappy.uncompress(in, 0, in.length, out, 0));
                case ZSTD -> codecCall(() -> new ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length));
                case LZ4_RAW -> codecCall(() -> new Lz4Decompressor().decompress(in, 0, in.length, out, 0, out.length));
                case GZIP -> gzip(in, out);
                default -> throw new IOException("unsupported Parquet compression " + codec
                        + " (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW)");
            };
            if (n != uncompressedSize) {
                throw new IOException(codec + " page decompressed to " + n + " bytes, expected " + uncompressedSize);
            }
            return BytesInput.from(out);
        }

        private interface CodecCall {
            int run() throws IOException;
        }

        /** Codec libraries report corrupt input as runtime exceptions of their own; make them one IOException. */
        private static int codecCall(CodecCall call) throws IOException {
            try {
                return call.run();
            } catch (RuntimeException e) {
                throw new IOException("corrupt compressed page: " + e.getMessage(), e);
            }
        }

        private static int gzip(byte[] in, byte[] out) throws IOException {
            try (InputStream z = new GZIPInputStream(new ByteArrayInputStream(in))) {
                return z.readNBytes(out, 0, out.length);
            }
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize) throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(decompress(BytesInput.from(in), uncompressedSize).toByteArray());
        }

        @Override
        public void release() {}
    }
}
