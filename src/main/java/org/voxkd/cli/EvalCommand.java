package org.voxkd.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.voxkd.data.DataCheck;
import org.voxkd.data.Lists;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.UtteranceEmbeddings;
import org.voxkd.eval.Verification;
import org.voxkd.io.AtomicFiles;
import org.voxkd.scoring.AsNorm;
import org.voxkd.scoring.Cost;
import org.voxkd.scoring.Det;
import org.voxkd.scoring.Evaluation;
import org.voxkd.io.OutputGuard;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `voxkd eval`: a checkpoint on a trial list — score file, EER, minDCF with its cost parameters, interval, counts; with the
 * scoring back-end ({@code org.voxkd.scoring}): AS-norm against a cohort of training speakers, calibration and thresholds
 * from a validation list, Cllr/minCllr, actual DCF, FAR/FRR at the validation threshold, DET curves.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score a trial list with a checkpoint: EER, minDCF (P_target 0.05 and 0.01, C_miss = C_fa = 1, or --cost), 95%% bootstrap interval, minCllr.",
                "--val-trials: linear logistic-regression calibration fitted on the validation list (Cllr, actual DCF at the calibrated threshold) "
                        + "and FAR/FRR on the test list at the validation EER threshold.",
                "--cohort: AS-norm (adaptive symmetric normalisation) against the mean embeddings of training speakers, top-N highest cohort scores per side.",
                "--det PREFIX: DET curves as PREFIX.svg and PREFIX.pgf (pgfplots)."})
public final class EvalCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt).") Path checkpoint;
    @Option(names = "--trials", required = true, description = "Trial list: label path1 path2.") Path trials;
    @Option(names = "--root", description = "Directory the trial paths are relative to (default: the list's directory).") Path root;
    @Option(names = "--crops", defaultValue = "10", description = "Evenly spaced crops per utterance; 0 = whole utterances (default: ${DEFAULT-VALUE}).") int crops;
    @Option(names = "--frames", defaultValue = "200", description = "Frames per crop (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--scores", description = "Write the score file here (label score path1 path2; raw scores).") Path scores;
    @Option(names = "--norm-scores", description = "Write the AS-normalised score file here (with --cohort).") Path normScores;
    @Option(names = "--val-trials", description = "Validation trial list (speakers disjoint from the test list's): calibration and the decision threshold are chosen on it.") Path valTrials;
    @Option(names = "--val-root", description = "Directory the validation paths are relative to (default: --root, else the list's directory).") Path valRoot;
    @Option(names = "--cohort", description = "Training list (speaker path) whose speakers form the AS-norm cohort.") Path cohort;
    @Option(names = "--cohort-root", description = "Directory the cohort list's paths are relative to (default: the list's directory).") Path cohortRoot;
    @Option(names = "--cohort-utterances", defaultValue = "3", description = "Utterances per cohort speaker (the first in list order; default: ${DEFAULT-VALUE}).") int cohortUtterances;
    @Option(names = "--top-n", defaultValue = "300", description = "AS-norm: the N highest cohort scores per side (default: ${DEFAULT-VALUE}; at most the cohort size).") int topN;
    @Option(names = "--cost", description = "Detection cost P_target,C_miss,C_fa (repeatable; default 0.05,1,1 and 0.01,1,1).") List<String> costs = new ArrayList<>();
    @Option(names = "--calibration-prior", defaultValue = "0.5", description = "Prior of the calibration's training objective (default: ${DEFAULT-VALUE}).") double prior;
    @Option(names = "--det", description = "Write DET curves to PREFIX.svg and PREFIX.pgf.") String det;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or opencl (default: ${DEFAULT-VALUE}).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--threads", defaultValue = "2", description = "Feature threads (default: ${DEFAULT-VALUE}).") int threads;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception { return numerics.with(this::run); }

    private Integer run() throws Exception {
        Bounds.crops(crops, frames);
        Bounds.threads(threads);
        List<Cost> costList = parseCosts(costs);
        if (normScores != null && cohort == null) throw new IllegalArgumentException("--norm-scores needs --cohort (AS-norm)");
        Path base = root != null ? root : trials.toAbsolutePath().getParent();
        List<Lists.Trial> list = Lists.readTrialList(trials);
        DataCheck.checkTrialList(base, list);
        List<Lists.Trial> val = null;
        Path vBase = null;
        if (valTrials != null) {
            vBase = valRoot != null ? valRoot : root != null ? root : valTrials.toAbsolutePath().getParent();
            val = Lists.readTrialList(valTrials);
            DataCheck.checkTrialList(vBase, val);
        }
        List<Lists.Utterance> cohortList = null;
        Path cBase = null;
        if (cohort != null) {
            if (cohortUtterances < 1) throw new IllegalArgumentException("--cohort-utterances must be at least 1, got " + cohortUtterances);
            cBase = cohortRoot != null ? cohortRoot : cohort.toAbsolutePath().getParent();
            cohortList = firstPerSpeaker(Lists.readTrainList(cohort), cohortUtterances);
            DataCheck.checkTrainList(cBase, cohortList);
        }
        List<OutputGuard.Input> inputs = new ArrayList<>(List.of(OutputGuard.input("--trials", trials), OutputGuard.input("--checkpoint", checkpoint)));
        if (valTrials != null) inputs.add(OutputGuard.input("--val-trials", valTrials));
        if (cohort != null) inputs.add(OutputGuard.input("--cohort", cohort));
        List<String> listed = Lists.trialPaths(list);
        guard("--scores", scores, inputs, base, listed);
        guard("--norm-scores", normScores, inputs, base, listed);
        if (det != null) {
            guard("--det", Path.of(det + ".svg"), inputs, base, listed);
            guard("--det", Path.of(det + ".pgf"), inputs, base, listed);
        }
        ModelFiles.Loaded m = ModelFiles.load(checkpoint);
        PrintStream out = System.out;
        java.io.PrintWriter log = spec.commandLine().getErr();
        int utterances = listed.size();
        Verification v = new Verification(base, list, frames, crops, threads, new Progress(log, "features", utterances, "utterances", 10));
        try (Backend b = Backends.create(backend, device); Embedder e = new Embedder(m.model(), b, m.weights()[0], m.weights()[1])) {
            Verification.Result r = v.score(e, 1, new Progress(log, "embeddings", v.utteranceCount(), "utterances", 10));
            out.println(checkpoint + " on " + trials + " (" + v.utteranceCount() + " utterances, "
                    + (crops == 0 ? "whole utterances" : crops + " crops of " + frames + " frames") + ", backend " + b.name() + "):");
            out.println(r.summary());
            if (scores != null) AtomicFiles.writeString(scores, v.scoreFile(r));
            Verification.Result vr = null;
            Verification vv = null;
            if (val != null) {
                vv = new Verification(vBase, val, frames, crops, threads);
                vr = vv.score(e, 1);
            }
            List<Det.Curve> curves = new ArrayList<>();
            Evaluation raw = Evaluation.of("raw", r.scores(), r.labels(), vr == null ? null : vr.scores(), vr == null ? null : vr.labels(), costList, prior);
            raw.lines().forEach(out::println);
            curves.add(raw.det());
            if (cohortList != null) {
                String[] speakerOf = cohortList.stream().map(Lists.Utterance::speaker).toArray(String[]::new);
                float[][] ce = UtteranceEmbeddings.embedAll(e, cBase, cohortList.stream().map(Lists.Utterance::path).toList(), frames, crops, threads, null);
                float[][] speakers = AsNorm.speakerMeans(ce, speakerOf);
                int n = Math.min(topN, speakers.length);
                AsNorm norm = new AsNorm(speakers, n);
                out.printf(Locale.ROOT, "AS-norm: cohort of %d training speakers (%d utterance%s each at most, from %s), top-N %d%s%n", speakers.length,
                        cohortUtterances, cohortUtterances == 1 ? "" : "s", cohort, n, n < topN ? " (--top-n " + topN + " capped at the cohort size)" : "");
                double[] ns = normalised(norm, v, r);
                double[] nv = vv == null ? null : normalised(norm, vv, vr);
                Evaluation asn = Evaluation.of("AS-norm", ns, r.labels(), nv, vr == null ? null : vr.labels(), costList, prior);
                asn.lines().forEach(out::println);
                curves.add(asn.det());
                if (normScores != null) AtomicFiles.writeString(normScores, v.scoreFile(ns));
            }
            if (det != null) {
                Path svg = Path.of(det + ".svg"), pgf = Path.of(det + ".pgf");
                String title = "DET: " + checkpoint.getFileName() + " on " + trials.getFileName();
                AtomicFiles.writeString(svg, Det.svg(title, curves));
                AtomicFiles.writeString(pgf, Det.pgf(title, curves));
                out.println("DET curves: " + svg + ", " + pgf);
            }
        }
        return 0;
    }

    private static double[] normalised(AsNorm norm, Verification v, Verification.Result r) {
        Map<String, float[]> emb = v.utteranceEmbeddings();
        List<String> enroll = v.trials().stream().map(Lists.Trial::enroll).toList(), test = v.trials().stream().map(Lists.Trial::test).toList();
        return norm.normalise(enroll, test, r.scores(), emb);
    }

    /** The first {@code n} utterances of each speaker, in list order. */
    static List<Lists.Utterance> firstPerSpeaker(List<Lists.Utterance> list, int n) {
        Map<String, Integer> taken = new LinkedHashMap<>();
        List<Lists.Utterance> out = new ArrayList<>();
        for (Lists.Utterance u : list) if (taken.merge(u.speaker(), 1, Integer::sum) <= n) out.add(u);
        return out;
    }

    static List<Cost> parseCosts(List<String> specs) {
        if (specs.isEmpty()) return Cost.DEFAULTS;
        List<Cost> out = new ArrayList<>();
        for (String s : specs) {
            String[] f = s.split(",");
            try {
                if (f.length != 3) throw new NumberFormatException();
                out.add(new Cost(Double.parseDouble(f[0].strip()), Double.parseDouble(f[1].strip()), Double.parseDouble(f[2].strip())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--cost must be P_target,C_miss,C_fa (e.g. 0.05,1,1), got '" + s + "'");
            }
        }
        return out;
    }

    /** An output (when given) is none of the command's inputs and none of the audio files the trial list names. */
    private void guard(String option, Path output, List<OutputGuard.Input> inputs, Path base, List<String> listed) throws IOException {
        if (output == null) return;
        OutputGuard.refuseInputs(option, output, inputs);
        OutputGuard.refuseListed(option, output, "a file listed in " + trials + ":", base, listed);
    }
}
