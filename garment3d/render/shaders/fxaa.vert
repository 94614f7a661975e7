// One triangle over the whole viewport (no vertex buffers: corners from gl_VertexID); the scissor
// box limits the pass to the subject.
void main() {
    vec2 corner = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
