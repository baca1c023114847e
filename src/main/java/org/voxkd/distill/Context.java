package org.voxkd.distill;

import java.util.List;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.View;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;

/** What a {@link Term} sees of the training step it is recorded into. */
public interface Context {
    /** A frozen teacher: its model, its inference pass, and its classifier head [classes, D] (null when its checkpoint has none). */
    record Teacher(String source, SpeakerModel model, Pass pass, View head) {}

    int batch();

    int frames();

    SpeakerModel student();

    Pass studentPass();

    /** The teachers, in configuration order; terms other than the final-embedding one read the first. */
    List<Teacher> teachers();

    /** The first teacher, or an error naming the term that needs one. */
    default Teacher teacher(String term) {
        if (teachers().isEmpty()) throw new IllegalArgumentException("distillation term " + term + " needs a teacher (teacher.checkpoint)");
        return teachers().get(0);
    }

    /** The final-embedding distillation target [B, D]: the teacher's embedding, or the teachers' mix. */
    View target();

    /**
     * A tap by qualified name, {@code student.NAME} or {@code teacher.NAME} (the first teacher): the model and tap.
     * Errors name the known taps.
     */
    Tap tap(String qualified);

    /** A resolved tap: whose, which, and its activation [rows, width]. */
    record Tap(String qualified, boolean student, SpeakerModel.Tap tap, View act, int rows) {}

    /**
     * This term's gradient with respect to a student tap ("embedding", "block4.out"): zeroed before the term runs,
     * added into the student's backward after it.
     */
    View gradient(String studentTap);

    /** Fresh scratch of {@code floats} floats for this term. */
    View scratch(int floats);

    /** The adapter group (after {@link Term#declare}). */
    ParameterSet adapters();

    /** The student's classifier head (weight [classes, D]) and its gradient. */
    ParameterSet classifier();

    int classes();

    /** The batch's class labels [B] (as floats). */
    View labels();

    /** An extra per-step metric column of one float (e.g. training accuracy). */
    View metric(String column);
}
