package org.voxkd.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The parameter counts of the spec, and the same counts from PyTorch's modules (fixtures/models/parameter_counts.json). */
class ModelParameterCountTest {
    @Test
    void studentsAndTeacherHaveTheSpecifiedCounts() throws Exception {
        JsonNode torch;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/models/parameter_counts.json")) {
            torch = new ObjectMapper().readTree(in);
        }
        int v2 = new Student(StudentConfig.v2()).parameters().parameterCount();
        int large = new Student(StudentConfig.large()).parameters().parameterCount();
        Teacher teacher = new Teacher(TeacherConfig.standard());
        assertEquals(2_664_576, v2);
        assertEquals(7_844_864, large);
        assertEquals(3_873_745, teacher.parameters().parameterCount());
        assertEquals(3_515_777, teacher.parameterCountWithoutDecoder());
        assertEquals(torch.get("student_h192_n6_e3_g4").asInt(), v2);
        assertEquals(torch.get("student_h256_n8_e4_g4").asInt(), large);
        assertEquals(torch.get("teacher").asInt(), teacher.parameters().parameterCount());
    }
}
