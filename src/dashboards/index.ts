import { compact } from './compact.js';
import { cumulative } from './cumulative.js';
import { pro } from './pro.js';
import type { DashboardDef } from './view.js';
import type { DashboardName } from './sections.js';
import { simple } from './simple.js';

export const DASHBOARDS: Readonly<Record<DashboardName, DashboardDef>> = { simple, compact, pro, cumulative };
export const DASHBOARD_NAMES = Object.keys(DASHBOARDS) as DashboardName[];
export type { DashboardName, DashboardDef };
export type { ViewState } from './view.js';
export { renderPlain } from './plain.js';
export { runInteractive } from './runner.js';
export { normalizeSymbol } from './view.js';
