/**
 * voxkd's Java API: embed recordings with a trained speaker model and decide whether two are the same speaker.
 *
 * <pre>{@code
 * try (Verifier v = Verifier.load(Path.of("best.ckpt"))) {        // a voxkd checkpoint or an ONNX export
 *     Embedding a = v.embed(Path.of("alice.wav")), b = v.embed(Path.of("unknown.wav"));
 *     Decision d = v.verify(a, b);                                 // the threshold stored with the model
 *     System.out.println(d);                                       // score, threshold and its source, decision
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link org.voxkd.api.Verifier}: load a checkpoint ({@code .ckpt}) or an ONNX export ({@code .onnx}); embed a 16 kHz
 *       WAV file, a {@code float[]} of 16 kHz samples or a log-mel feature matrix; score two embeddings; decide at the
 *       stored, a given or a calibrated threshold. Thread-safe.</li>
 *   <li>{@link org.voxkd.api.Embedding}: an utterance embedding; the dot product of two is the score.</li>
 *   <li>{@link org.voxkd.api.Threshold} and {@link org.voxkd.api.Decision}: where a threshold came from, and what was
 *       decided with it.</li>
 * </ul>
 *
 * The score is the one {@code voxkd eval} reports: the mean cosine over all pairs of the two recordings' crop embeddings
 * (evenly spaced crops, 10 of 200 frames by default; whole recordings with {@code crops(0)}). Calibrated decisions use
 * {@link org.voxkd.scoring.LinearCalibration} and {@link org.voxkd.scoring.Cost} from the scoring back-end. The command
 * line's {@code voxkd embed} and {@code voxkd verify} are written on this API.
 *
 * <p>Maven coordinates (after {@code mvn install} in a voxkd checkout): {@code org.voxkd:voxkd:0.1.0}. The runtime needs
 * {@code --add-modules jdk.incubator.vector} (the CPU kernels' SIMD) and Java 21 or newer.
 */
package org.voxkd.api;
