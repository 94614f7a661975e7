// Shared by studio.vert and studio.frag (prepended after the #version line).
//
// Cloth: Lambert diffuse with wrap (soft boxes), a GGX specular lobe that can be
// anisotropic (narrow along the warp floats of a satin, wide across them), and a
// Charlie sheen lobe (Estevez & Kulla 2017 distribution, Neubelt & Pettineo
// visibility) for the soft grazing glow of silk, satin and velvet.
uniform vec3 u_base_rgb;            // linear colour factor
uniform vec3 u_mean_rgb;            // linear mean colour of the surface (texture average x factor)
uniform float u_roughness;
uniform float u_specular;           // F0 at normal incidence
uniform float u_sheen;
uniform float u_sheen_roughness;
uniform float u_anisotropy;
uniform float u_wrap;               // extra diffuse wrap of this material (skin, felt)
uniform vec3 u_light_dir[3];        // towards the light, camera space
uniform vec3 u_light_rgb[3];
uniform float u_light_soft[3];
uniform float u_light_spec[3];
uniform vec3 u_up;                  // world up in camera space
uniform float u_sky;
uniform float u_ground;

const float PI = 3.14159265359;

float charlie_d(float roughness, float n_dot_h) {
    float inv_r = 1.0 / max(roughness, 0.02);
    float sin2 = max(1.0 - n_dot_h * n_dot_h, 0.0078125);
    return (2.0 + inv_r) * pow(sin2, inv_r * 0.5) / (2.0 * PI);
}

float ggx_aniso_d(float at, float ab, float t_dot_h, float b_dot_h, float n_dot_h) {
    float x = t_dot_h / at, y = b_dot_h / ab;
    float d = x * x + y * y + n_dot_h * n_dot_h;
    return 1.0 / (PI * at * ab * d * d);
}

float smith_visibility(float a, float n_dot_l, float n_dot_v) {
    float gv = n_dot_l * (n_dot_v * (1.0 - a) + a);
    float gl = n_dot_v * (n_dot_l * (1.0 - a) + a);
    return 0.5 / max(gv + gl, 1e-5);
}

// diffuse: light reaching the surface (times albedo later); extra: specular and sheen, added as is.
void light_surface(vec3 n, vec3 t, vec3 b, vec3 v, float alpha, out vec3 diffuse, out vec3 extra) {
    vec3 mean = max(u_mean_rgb, vec3(1e-4));
    vec3 sheen_rgb = u_sheen * mix(mean / max(mean.r, max(mean.g, mean.b)), vec3(1.0), 0.4);
    float n_dot_v = clamp(dot(n, v), 1e-3, 1.0);
    float aspect = sqrt(1.0 - 0.9 * u_anisotropy);
    float sheen_r = u_sheen_roughness * u_sheen_roughness;
    diffuse = vec3(0.0);
    extra = vec3(0.0);
    for (int i = 0; i < 3; ++i) {
        vec3 l = u_light_dir[i];
        float n_dot_l_raw = dot(n, l);
        float wrap = clamp(u_light_soft[i] + u_wrap, 0.0, 0.9);
        diffuse += max((n_dot_l_raw + wrap) / ((1.0 + wrap) * (1.0 + wrap)), 0.0) * u_light_rgb[i];
        float n_dot_l = clamp(n_dot_l_raw, 0.0, 1.0);
        if (n_dot_l <= 0.0) continue;
        vec3 h = normalize(l + v);
        float n_dot_h = clamp(dot(n, h), 0.0, 1.0);
        float v_dot_h = clamp(dot(v, h), 0.0, 1.0);
        float fresnel = u_specular + (1.0 - u_specular) * pow(1.0 - v_dot_h, 5.0);
        // a soft box is a large light: its highlight is as wide as a rougher surface's
        float a_light = min(alpha + 0.4 * u_light_soft[i], 1.0);
        float a_warp = max(a_light * aspect, 0.01), a_weft = max(a_light / aspect, 0.01);
        float d = ggx_aniso_d(a_weft, a_warp, dot(t, h), dot(b, h), n_dot_h);
        float spec = d * smith_visibility(sqrt(a_weft * a_warp), n_dot_l, n_dot_v) * fresnel;
        float sheen = charlie_d(sheen_r, n_dot_h) / (4.0 * (n_dot_l + n_dot_v - n_dot_l * n_dot_v));
        extra += (spec * u_light_spec[i] + sheen_rgb * sheen) * n_dot_l * u_light_rgb[i];
    }
    diffuse *= (1.0 - 0.25 * u_sheen);
    float up = dot(n, u_up) * 0.5 + 0.5;
    diffuse += mix(vec3(u_ground), vec3(u_sky), up);
    // grazing glow of the sky on a sheen fabric (the soft edge light of silk folds)
    extra += sheen_rgb * u_sky * 0.9 * pow(1.0 - n_dot_v, 3.0) * up;
}

// a tangent frame: t along +u (weft), b along +v (warp)
void surface_frame(vec3 n_in, vec4 tangent, out vec3 n, out vec3 t, out vec3 b, out bool has_frame) {
    n = n_in;
    t = tangent.xyz - n * dot(n, tangent.xyz);
    has_frame = dot(t, t) > 1e-8;
    t = has_frame ? normalize(t) : normalize(abs(n.x) < 0.9 ? cross(n, vec3(1.0, 0.0, 0.0)) : cross(n, vec3(0.0, 1.0, 0.0)));
    b = normalize(cross(n, t)) * (tangent.w < 0.0 ? -1.0 : 1.0);
}
