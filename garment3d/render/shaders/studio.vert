// garment3d studio shader: everything is shaded in camera (view) space.
layout(location = 0) in vec3 a_position;
layout(location = 1) in vec3 a_normal;
layout(location = 2) in vec2 a_uv;
layout(location = 3) in vec4 a_tangent;  // xyz along +u (weft), w handedness (glTF layout)

uniform mat4 u_model;  // the turntable's turn
uniform mat4 u_view;
uniform mat4 u_proj;
uniform float u_side;  // +1 draws the outer side (normals towards the viewer), -1 the inner side

out vec3 v_position;
out vec3 v_normal;
out vec2 v_uv;
out vec4 v_tangent;
out vec3 v_diffuse;  // per-vertex lighting of the side drawn (turntable frames)
out vec3 v_extra;

void main() {
    vec4 view = u_view * u_model * vec4(a_position, 1.0);
    mat3 rotation = mat3(u_view * u_model);  // rigid: no inverse transpose needed
    v_position = view.xyz;
    v_normal = rotation * a_normal;
    v_tangent = vec4(rotation * a_tangent.xyz, a_tangent.w);
    v_uv = a_uv;
#ifndef PER_PIXEL
    {
        vec3 n, t, b; bool has_frame;
        vec3 v = normalize(-view.xyz);
        float alpha = u_roughness * u_roughness;
        surface_frame(normalize(v_normal), v_tangent, n, t, b, has_frame);
        light_surface(u_side * n, t, u_side * b, v, alpha, v_diffuse, v_extra);
    }
#endif
    gl_Position = u_proj * view;
}
