package org.voxkd.ledger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The code commit a run was made with: {@code git rev-parse HEAD}, with "+dirty" when the tree has changes. */
public final class GitInfo {
    private GitInfo() {}

    public static String commit(Path repo) {
        String head = git(repo, "rev-parse", "HEAD");
        if (head == null) return "unknown (not a git checkout)";
        String status = git(repo, "status", "--porcelain", "--untracked-files=no");
        return status == null || status.isBlank() ? head : head + "+dirty";
    }

    private static String git(Path repo, String... args) {
        try {
            String[] cmd = new String[args.length + 3];
            cmd[0] = "git";
            cmd[1] = "-C";
            cmd[2] = repo.toString();
            System.arraycopy(args, 0, cmd, 3, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
