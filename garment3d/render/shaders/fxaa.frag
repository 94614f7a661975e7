// Edge anti-aliasing after the draws, after Timothy Lottes' FXAA (its "quality" form): where luma
// changes sharply, decide whether the edge runs along the rows or the columns, walk along it both
// ways to its ends, and resample the pixel shifted across the edge by as much as its place along the
// edge's step says; single-pixel features are blended with their neighbours. Fixed steps (no
// data-dependent loop): llvmpipe runs every instruction for all sixteen pixels of a block anyway.
//
// Colours are premultiplied; luma is taken of the colour over the backdrop, so that a transparent
// render finds the same edges as an opaque one.
uniform sampler2D u_image;   // the aliased render: bilinear, clamped, one level
uniform vec2 u_texel;        // 1 / size in pixels
uniform vec3 u_backdrop;     // sRGB backdrop under transparent pixels (for luma only)

out vec4 o_color;

const float EDGE_THRESHOLD = 0.125;      // least contrast, relative to the brightest neighbour
const float EDGE_THRESHOLD_MIN = 0.0312; // and absolute (dark edges)
const float SUBPIXEL = 0.75;             // how strongly single-pixel features are blended

float luma(vec4 c) {
    return dot(c.rgb + (1.0 - c.a) * u_backdrop, vec3(0.299, 0.587, 0.114));
}

float luma_at(vec2 p) {
    return luma(textureLod(u_image, p, 0.0));
}

float luma_near(ivec2 pixel, ivec2 offset) {
    ivec2 last = textureSize(u_image, 0) - 1;
    return luma(texelFetch(u_image, clamp(pixel + offset, ivec2(0), last), 0));
}

void main() {
    // the output is written upside down (top row first for the read-back): the source row is mirrored
    vec2 source = vec2(gl_FragCoord.x, 1.0 / u_texel.y - gl_FragCoord.y);
    ivec2 pixel = ivec2(source);
    vec2 p = source * u_texel;
    vec4 centre = texelFetch(u_image, pixel, 0);
    float m = luma(centre);
    float n = luma_near(pixel, ivec2(0, 1)), s = luma_near(pixel, ivec2(0, -1));
    float e = luma_near(pixel, ivec2(1, 0)), w = luma_near(pixel, ivec2(-1, 0));
    float nw = luma_near(pixel, ivec2(-1, 1)), ne = luma_near(pixel, ivec2(1, 1));
    float sw = luma_near(pixel, ivec2(-1, -1)), se = luma_near(pixel, ivec2(1, -1));
    float brightest = max(max(max(n, s), max(e, w)), m);
    float darkest = min(min(min(n, s), min(e, w)), m);
    float range = brightest - darkest;
    bool is_edge = range >= max(EDGE_THRESHOLD_MIN, brightest * EDGE_THRESHOLD);

    // single-pixel features: how far the centre stands out from the 3x3 average
    float average = (2.0 * (n + s + e + w) + (nw + ne + sw + se)) / 12.0;
    float stand_out = clamp(abs(average - m) / max(range, 1e-4), 0.0, 1.0);
    float subpixel = (3.0 - 2.0 * stand_out) * stand_out * stand_out;
    subpixel = subpixel * subpixel * SUBPIXEL;

    // an edge along the rows changes luma down the columns
    float across_rows = abs(nw + sw - 2.0 * w) + 2.0 * abs(n + s - 2.0 * m) + abs(ne + se - 2.0 * e);
    float across_cols = abs(sw + se - 2.0 * s) + 2.0 * abs(w + e - 2.0 * m) + abs(nw + ne - 2.0 * n);
    bool along_rows = across_rows >= across_cols;
    float side_a = along_rows ? n : e;   // the two neighbours across the edge
    float side_b = along_rows ? s : w;
    float step_across = along_rows ? u_texel.y : u_texel.x;
    float gradient_a = abs(side_a - m), gradient_b = abs(side_b - m);
    bool towards_a = gradient_a >= gradient_b;
    float edge_luma = 0.5 * (m + (towards_a ? side_a : side_b));
    step_across = towards_a ? step_across : -step_across;
    float limit = 0.25 * max(gradient_a, gradient_b);

    // walk both ways along the edge, half a pixel across it, until its luma leaves the edge's
    vec2 along = along_rows ? vec2(u_texel.x, 0.0) : vec2(0.0, u_texel.y);
    vec2 on_edge = p + (along_rows ? vec2(0.0, 0.5 * step_across) : vec2(0.5 * step_across, 0.0));
    vec2 end_neg = on_edge - along, end_pos = on_edge + along;
    float delta_neg = luma_at(end_neg) - edge_luma, delta_pos = luma_at(end_pos) - edge_luma;
    bool done_neg = abs(delta_neg) >= limit, done_pos = abs(delta_pos) >= limit;
    const float STEPS[4] = float[4](1.5, 2.0, 4.0, 8.0);
    for (int i = 0; i < 4; ++i) {
        vec2 next_neg = end_neg - along * STEPS[i], next_pos = end_pos + along * STEPS[i];
        float next_delta_neg = luma_at(next_neg) - edge_luma, next_delta_pos = luma_at(next_pos) - edge_luma;
        end_neg = done_neg ? end_neg : next_neg;
        delta_neg = done_neg ? delta_neg : next_delta_neg;
        done_neg = done_neg || abs(delta_neg) >= limit;
        end_pos = done_pos ? end_pos : next_pos;
        delta_pos = done_pos ? delta_pos : next_delta_pos;
        done_pos = done_pos || abs(delta_pos) >= limit;
    }
    float dist_neg = along_rows ? p.x - end_neg.x : p.y - end_neg.y;
    float dist_pos = along_rows ? end_pos.x - p.x : end_pos.y - p.y;
    bool nearer_neg = dist_neg < dist_pos;
    float nearest = min(dist_neg, dist_pos);
    // the edge steps over this pixel only if the near end's luma lies the other way from the centre's
    bool steps_here = ((nearer_neg ? delta_neg : delta_pos) < 0.0) != (m - edge_luma < 0.0);
    float edge_shift = steps_here ? 0.5 - nearest / (dist_neg + dist_pos) : 0.0;
    float shift = max(edge_shift, subpixel);
    vec2 q = p + (along_rows ? vec2(0.0, shift * step_across) : vec2(shift * step_across, 0.0));
    o_color = is_edge ? textureLod(u_image, q, 0.0) : centre;
}
