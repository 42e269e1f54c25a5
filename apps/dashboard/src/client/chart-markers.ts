/**
 * The marker lines on the race charts: scheduled post, the off and each alert,
 * drawn on uPlot's canvas after every redraw (a plugin's draw hook), each with
 * a small label; labels stack in rows so close alerts stay readable.
 */
import uPlot from "uplot";
import type { Marker } from "./chart-data.js";

const MARKER_COLOURS: Record<Marker["kind"], string> = { post: "#222", off: "#000", alert: "#a14a00" };

/** Draws the marker lines and their labels on the plot's canvas after each redraw. */
export function markerPlugin(markers: () => Marker[]): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const px = uPlot.pxRatio;
          const { left, top, width, height } = u.bbox;
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${Math.round(11 * px)}px system-ui, sans-serif`;
          // uPlot leaves its axis text settings on the context; labels start at their x.
          ctx.textBaseline = "top";
          ctx.textAlign = "left";
          const rowEnds: number[] = [];
          for (const m of markers()) {
            const x = Math.round(u.valToPos(m.t, "x", true));
            if (x < left || x > left + width) continue;
            const colour = MARKER_COLOURS[m.kind];
            ctx.strokeStyle = colour;
            ctx.lineWidth = px;
            ctx.setLineDash(m.kind === "alert" ? [2 * px, 3 * px] : [6 * px, 4 * px]);
            ctx.beginPath();
            ctx.moveTo(x + 0.5, top);
            ctx.lineTo(x + 0.5, top + height);
            ctx.stroke();
            // Labels stack in rows so neighbouring alerts do not print over each other.
            const w = ctx.measureText(m.label).width;
            const tx = x + 3 * px + w > left + width ? x - 3 * px - w : x + 3 * px;
            let row = rowEnds.findIndex((end) => end < tx);
            if (row === -1) row = rowEnds.length < 4 ? rowEnds.length : 0;
            rowEnds[row] = tx + w + 4 * px;
            const ty = top + 2 * px + row * 14 * px;
            ctx.fillStyle = "rgba(255,255,255,0.85)";
            ctx.fillRect(tx - 2 * px, ty - px, w + 4 * px, 13 * px);
            ctx.fillStyle = colour;
            ctx.fillText(m.label, tx, ty);
          }
          ctx.restore();
        },
      ],
    },
  };
}
