package org.voxkd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ParameterSetTest {
    @Test
    void viewsAreCarvedInDeclarationOrderFromOneFlatBufferEach() {
        ParameterSet p = ParameterSet.builder("m").param("w", 3, 5).param("b", 3).state("bn.mean", 7).param("g", 2).build();
        assertEquals(15 + 3 + 2, p.parameterCount());
        assertEquals(7, p.stateCount());
        assertEquals(15, p.value("b").offset());
        assertEquals(18, p.grad("g").offset());
        assertSame(p.params().buffer(), p.value("g").buffer());
        assertSame(p.adamV().buffer(), p.adamV("w").buffer());
        assertEquals(0, p.value("bn.mean").offset());
        assertThrows(IllegalArgumentException.class, () -> p.grad("bn.mean"));
        assertThrows(IllegalArgumentException.class, () -> p.value("missing"));
        assertThrows(IllegalArgumentException.class, () -> ParameterSet.builder("x").param("a", 2).param("a", 3));
    }

    @Test
    void workspaceSlotsAreAlignedAndDisjoint() {
        Workspace ws = Workspace.builder("act").reserve("a", 5).reserve("b", 17).reserve("c", 1).build();
        assertEquals(0, ws.view("a").offset());
        assertEquals(16, ws.view("b").offset());
        assertEquals(48, ws.view("c").offset());
        assertEquals(64, ws.buffer().length());
        assertThrows(IllegalArgumentException.class, () -> ws.view("d"));
    }
}
