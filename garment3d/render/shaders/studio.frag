// garment3d studio shader (camera space). Stills shade every pixel with the
// normal and roughness maps at the fabric's true scale (the roughness grows
// where the mipmapped normal map averages out, Toksvig, so fine weave does not
// sparkle); turntable frames use the per-vertex lighting (a 1 cm garment mesh
// is 2-3 px a triangle at 512 px) and the per-pixel scan.
// Compiled four ways: PER_PIXEL (every light per pixel), DETAIL (stills: per-vertex
// light with the normal map's relief under the key light and the roughness map per
// pixel), per vertex (frames) and FLOOR (only
// a soft contact shadow on the backdrop colour). Variants, not uniform branches:
// llvmpipe runs both sides of a branch it cannot prove uniform.
in vec3 v_position;
in vec3 v_normal;
in vec2 v_uv;
in vec4 v_tangent;
in vec3 v_diffuse;
in vec3 v_extra;

out vec4 o_color;

uniform bool u_has_base_tex;
uniform sampler2D u_base_tex;       // sRGB texture (decoded by GL)
uniform bool u_has_normal_tex;
uniform sampler2D u_normal_tex;
uniform float u_normal_strength;
uniform bool u_has_rough_tex;
uniform sampler2D u_rough_tex;
uniform float u_opacity;
uniform float u_exposure;
uniform sampler2D u_shadow_tex;     // floor shadow (r: 0 none .. 1 darkest)
uniform float u_shadow_strength;
uniform vec3 u_background;          // sRGB display colour of the backdrop
uniform bool u_transparent;
uniform float u_side;               // +1 outer side (front faces), -1 inner side (back faces)

vec3 tonemap(vec3 x) {
    // filmic curve (Narkowicz's ACES fit): soft highlights, no clipped satin streaks
    x *= u_exposure * 0.6;
    return clamp((x * (2.51 * x + 0.03)) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

vec3 to_srgb(vec3 c) {
    // 1.055 c^(1/2.4) - 0.055 from three square roots (within 0.26 of a grey level above the linear toe):
    // llvmpipe's pow is a log2 and an exp2 per channel, a fifth of the frame's shading time
    vec3 s1 = sqrt(c), s2 = sqrt(s1), s3 = sqrt(s2);
    vec3 curve = 0.662002687 * s1 + 0.684122060 * s2 - 0.323583601 * s3 - 0.0225411470 * c;
    return mix(c * 12.92, curve, step(0.0031308, c));
}

void main() {
#ifdef FLOOR
    {
        float shadow = texture(u_shadow_tex, v_uv).r * u_shadow_strength;
        if (u_transparent) o_color = vec4(0.0, 0.0, 0.0, shadow);  // premultiplied
        else o_color = vec4(u_background * (1.0 - shadow), 1.0);
        return;
    }
#else
    vec3 albedo = u_base_rgb;
    if (u_has_base_tex) albedo *= texture(u_base_tex, v_uv).rgb;
    vec3 diffuse, extra;
#ifdef PER_PIXEL
    {
        vec3 n, t, b; bool has_frame;
        surface_frame(normalize(u_side * v_normal), v_tangent, n, t, b, has_frame);
        float roughness = u_roughness;
        if (u_has_rough_tex) roughness *= texture(u_rough_tex, v_uv).r;
        float alpha = clamp(roughness, 0.04, 1.0);
        alpha *= alpha;
        if (u_has_normal_tex && has_frame) {
            vec3 m = texture(u_normal_tex, v_uv).xyz * 2.0 - 1.0;
            float len = max(length(m), 1e-3);
            alpha = min(sqrt(alpha * alpha + (1.0 - len) / len), 1.0);
            m.xy *= u_normal_strength;
            n = normalize(t * m.x + b * m.y + n * max(m.z, 0.05));
        }
        light_surface(n, t, b, normalize(-v_position), alpha, diffuse, extra);
    }
#else
    diffuse = v_diffuse;
    extra = v_extra;
#ifdef DETAIL
    // stills: per-vertex light, plus the weave's relief under the key light and its roughness per pixel
    if (u_has_normal_tex) {
        vec3 n, t, b; bool has_frame;
        surface_frame(normalize(u_side * v_normal), v_tangent, n, t, b, has_frame);
        vec3 m = texture(u_normal_tex, v_uv).xyz * 2.0 - 1.0;
        m.xy *= u_normal_strength;
        vec3 bent = normalize(t * m.x + b * m.y + n * max(m.z, 0.05));
        float wrap = clamp(u_light_soft[0] + u_wrap, 0.0, 0.9);
        float flat_key = max(dot(n, u_light_dir[0]) + wrap, 0.0);
        float bent_key = max(dot(bent, u_light_dir[0]) + wrap, 0.0);
        diffuse = max(diffuse + (bent_key - flat_key) / ((1.0 + wrap) * (1.0 + wrap)) * u_light_rgb[0], 0.0);
    }
    if (u_has_rough_tex) extra *= clamp(1.0 / max(texture(u_rough_tex, v_uv).r, 0.05), 0.5, 2.0);
#endif
#endif
    o_color = vec4(to_srgb(tonemap(albedo * diffuse + extra)), 1.0) * u_opacity;  // premultiplied
#endif
}
