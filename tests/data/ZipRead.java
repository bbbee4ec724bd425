// ZipRead — reads a ZIP file the way EU DSS does, with java.util.zip.ZipInputStream (which
// trusts the local headers), and prints one line per entry: name, bytes read, CRC-32 (hex).
// Exits non-zero on any exception, or when an entry's local header announced a size or CRC
// that its data does not have.  Used by tests/unit/test_zip_writer.c.
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ZipRead {
	public static void main(String[] args) {
		try (ZipInputStream in = new ZipInputStream(new FileInputStream(args[0]), StandardCharsets.UTF_8)) {
			PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
			byte[] buf = new byte[1 << 16];
			ZipEntry e;
			while ((e = in.getNextEntry()) != null) {
				CRC32 crc = new CRC32();
				long n = 0;
				int r;
				while ((r = in.read(buf)) > 0) {
					crc.update(buf, 0, r);
					n += r;
				}
				// Sizes and CRC come from the local header: no data descriptor means known.
				if (e.getSize() != n || e.getCrc() != crc.getValue())
					throw new Exception(e.getName() + ": local header says size " + e.getSize()
					    + " crc " + Long.toHexString(e.getCrc()) + ", data has " + n);
				out.println(e.getName() + " " + n + " " + String.format("%08x", crc.getValue()));
			}
		} catch (Exception ex) {
			System.err.println("ZipRead: " + ex);
			System.exit(1);
		}
	}
}
