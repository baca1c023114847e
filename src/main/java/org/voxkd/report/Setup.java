package org.voxkd.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.voxkd.data.SynthVox;

/**
 * The study's setup as the results record it: the corpus (its SynthVox profile, named by the runs' training list, or
 * only the lists' hashes for another corpus), the training budget of every arm from its resolved configuration, and the
 * machine and code of the runs. The corpus table is computed from the SynthVox profile's declared sizes and ranges and
 * the trial counts the runs scored; nothing is typed here.
 */
public final class Setup {
    private static final Pattern SYNTHVOX = Pattern.compile("synthvox-([a-z0-9]+)-seed(\\d+)");
    private final Results res;
    private final Optional<SynthVox.Profile> corpus;
    private final long corpusSeed;

    private Setup(Results res) {
        this.res = res;
        String list = res.present().isEmpty() ? "" : res.config(res.present().get(0).experiment()).path("data").path("train_list").asText("");
        Matcher m = SYNTHVOX.matcher(list);
        Optional<SynthVox.Profile> p = Optional.empty();
        long seed = 0;
        if (m.find()) {
            try {
                p = Optional.of(SynthVox.Profile.named(m.group(1)));
                seed = Long.parseLong(m.group(2));
            } catch (IllegalArgumentException e) {
                p = Optional.empty();
            }
        }
        corpus = p;
        corpusSeed = seed;
    }

    public static Setup of(Results res) {
        return new Setup(res);
    }

    public Optional<SynthVox.Profile> corpus() { return corpus; }

    /** "SynthVox default (synthvox-4, seed 1)", or what the training list names. */
    public String corpusName() {
        if (corpus.isPresent()) return "SynthVox " + corpus.get().name() + " (generator " + SynthVox.GENERATOR_VERSION + ", seed " + corpusSeed + ")";
        return res.present().isEmpty() ? "none" : res.config(res.present().get(0).experiment()).path("data").path("train_list").asText("unknown");
    }

    /** Training crops per epoch: training speakers × utterances used per speaker (SynthVox only; -1 otherwise). */
    long cropsPerEpoch(String experiment) {
        if (corpus.isEmpty()) return -1;
        JsonNode d = res.config(experiment).path("data");
        int per = d.path("per_speaker").asInt(0);
        int used = per > 0 ? Math.min(per, corpus.get().trainUtterances()) : corpus.get().trainUtterances();
        return (long) corpus.get().trainSpeakers() * used;
    }

    /** "about 219 optimiser steps of 64 crops" for an arm's whole training, or "" when the corpus is not SynthVox. */
    public String steps(String experiment) {
        long crops = cropsPerEpoch(experiment);
        Optional<Arm> a = res.get(experiment);
        if (crops < 0 || a.isEmpty()) return "";
        JsonNode o = res.config(experiment).path("optim");
        int batch = o.path("batch").asInt(0), acc = Math.max(1, o.path("accumulate").asInt(1));
        if (batch <= 0) return "";
        long steps = Math.round((double) a.get().first().lastEpoch() * crops / ((double) batch * acc));
        return "about " + Fmt.count(steps) + " optimiser steps of " + batch * acc + " crops";
    }

    /** The corpus table: one row per split. */
    public Table corpusTable() {
        Table t = new Table("corpus", "Corpus", "lrrrrrl", "Split", "Speakers", "Utterances per speaker", "Sessions per speaker", "Duration (s), uniform",
                "Trials", "Use");
        if (corpus.isEmpty()) {
            t.caption(corpusName() + ": not a SynthVox corpus, so its statistics are not derivable from the results; see its own documentation.");
            return t;
        }
        SynthVox.Profile p = corpus.get();
        String dur = Fmt.fixed(p.minSeconds(), 1) + "–" + Fmt.fixed(p.maxSeconds(), 1) + ", mean " + Fmt.fixed((p.minSeconds() + p.maxSeconds()) / 2, 1);
        Optional<Run> any = res.runs().stream().filter(r -> r.testBest() != null && r.valBest() != null).findFirst();
        String val = any.map(r -> trials(r.valBest())).orElse(Fmt.count(p.valTrials())), test = any.map(r -> trials(r.testBest())).orElse(Fmt.count(p.testTrials()));
        long per = res.present().isEmpty() ? p.trainUtterances() : cropsPerEpoch(res.present().get(0).experiment()) / p.trainSpeakers();
        t.row("train", Fmt.count(p.trainSpeakers()), per == p.trainUtterances() ? Integer.toString(p.trainUtterances()) : per + " of " + p.trainUtterances(),
                Integer.toString(p.sessions()), dur, "–", "training");
        t.row("validation", Fmt.count(p.valSpeakers()), Integer.toString(p.valUtterances()), Integer.toString(p.sessions()), dur, val, "selection");
        t.row("test", Fmt.count(p.testSpeakers()), Integer.toString(p.testUtterances()), Integer.toString(p.sessions()), dur, test, "reported");
        t.caption(corpusName() + ": synthetic speech at 16 kHz with three disjoint speaker sets. Each session has its own channel (microphone "
                + "colouring, a room in some sessions) and background noise" + snr() + "; target trials pair utterances of different sessions. Training uses a fixed subset of each speaker's utterances (the same for every seed); "
                + "validation selects checkpoints; the test list is scored once per run. Trials: target + non-target, as scored by the runs.");
        return t;
    }

    /**
     * The SNR design of the generator version these results name. SynthVox draws it inside its session code, not in its profile,
     * and data code cannot change here without changing every run's code fingerprint; so the range is the one synthvox-4's
     * session() draws, and any other generator version gets no SNR claim.
     */
    static final String SNR_GENERATOR = "synthvox-4";
    static final double SNR_MIN_DB = 5, SNR_MAX_DB = 40, SNR_JITTER_DB = 3;

    private static String snr() {
        if (!SynthVox.GENERATOR_VERSION.equals(SNR_GENERATOR)) return "";
        return " at an SNR uniform on " + Fmt.fixed(SNR_MIN_DB, 0) + "–" + Fmt.fixed(SNR_MAX_DB, 0) + " dB per session, ±" + Fmt.fixed(SNR_JITTER_DB, 0)
                + " dB per utterance";
    }

    private static String trials(Run.Metrics m) {
        return Fmt.count(m.targets()) + " + " + Fmt.count(m.nonTargets());
    }

    /** The budget table: what each arm trained, from its resolved configuration. */
    public Table budgetTable(Tables tables) {
        Table t = new Table("budgets", "Training budgets", "lrrrrrl", "Experiment", "Epochs", "LR", "LR decay/epoch", "Batch", "Crop (frames)", "Steps");
        t.caption("From each arm's resolved configuration (results/ledger.jsonl). Every student of a seed distils from that seed's teacher; "
                + "validation after every epoch; steps counted as epochs × training crops / batch.");
        for (String e : tables.shown(Experiments.ALL)) {
            Optional<Arm> a = res.get(e);
            if (a.isEmpty()) continue;
            JsonNode o = res.config(e).path("optim"), d = res.config(e).path("data");
            int acc = Math.max(1, o.path("accumulate").asInt(1));
            t.row(tables.name(e), Tables.epochs(a.get()), Fmt.sig(o.path("lr").asDouble(Double.NaN)), "×" + Fmt.sig(o.path("lr_decay").asDouble(Double.NaN)),
                    acc == 1 ? Integer.toString(o.path("batch").asInt()) : o.path("batch").asInt() + " × " + acc, Integer.toString(d.path("max_frames").asInt()),
                    steps(e).replaceFirst("^about ", "≈").replaceFirst(" optimiser steps.*", ""));
        }
        return t;
    }

    /** The machine and code of the runs, in one sentence. */
    public String machine() {
        JsonNode e = res.environment();
        String cpu = e.path("cpu").asText("unknown CPU"), jdk = e.path("jdk").asText("unknown JDK"), num = e.path("numerics").asText("unknown"),
                gemm = e.path("gemm").asText("unknown");
        return "Every run was made on the " + e.path("backend").asText("cpu") + " backend (" + cpu + ", " + jdk + ", " + num + " numerics, GEMM "
                + gemm + ", " + e.path("kernel_threads").asText("?") + " kernel thread(s) per run) with code fingerprint " + res.fingerprint()
                + " (commit" + (res.commits().size() == 1 ? " " : "s ") + String.join(", ", res.commits()) + ").";
    }
}
