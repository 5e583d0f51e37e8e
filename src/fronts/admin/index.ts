export { adminRoutes } from './routes.js';
export type { AdminApprovalItem, AdminApprovals, AdminRoutesOptions } from './routes.js';
