/** The dashboard's pages by path (under /admin): one line each. */
import type { ComponentType } from 'preact';
import { AuditScreen } from '../features/audit/AuditScreen';
import { JobsScreen } from '../features/jobs/JobsScreen';
import { OverviewScreen } from '../features/overview/OverviewScreen';
import { PeopleScreen } from '../features/people/PeopleScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { StorageScreen } from '../features/storage/StorageScreen';

export const ROUTES: Readonly<Record<string, ComponentType>> = {
  '/': OverviewScreen,
  '/people': PeopleScreen,
  '/storage': StorageScreen,
  '/jobs': JobsScreen,
  '/audit': AuditScreen,
  '/settings': SettingsScreen,
};
