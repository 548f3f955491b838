/** The operator's overview: is the data safe, what storing it costs, usage and traffic over time (admin only). */
import { operation } from '../operation.js';
import { AdminOverview, UsageQuery, UsageSeries } from '../shapes/admin-overview.js';

export const adminOverview = operation({
  id: 'adminOverview',
  method: 'GET',
  path: '/admin/overview',
  tag: 'admin',
  summary: 'Is my data safe: nodes up, blocks redundant / degraded / repairing, last scrub, failing jobs; storage at each stage (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'The overview', json: AdminOverview } },
});

export const adminUsageSeries = operation({
  id: 'adminUsageSeries',
  method: 'GET',
  path: '/admin/usage',
  tag: 'admin',
  summary: 'Storage use and traffic over time, from the usage sampler (admin only)',
  description: 'Points recorded every COFFER_USAGE_SAMPLE_MINUTES; long ranges keep one point per bucket (the last sample’s sizes, the traffic summed).',
  auth: 'admin',
  query: UsageQuery,
  answers: { 200: { description: 'The series, oldest first', json: UsageSeries } },
});
