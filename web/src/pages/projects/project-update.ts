/** @module Changing a project: PATCH with the whole project object, as the SDK's updateProject sends it. */
import type { Api } from '../../api/client';
import type { ClassificationType, Project } from '../../api/types';

export interface ProjectChanges {
  name?: string;
  description?: string;
  domainId?: string;
  classificationType?: ClassificationType;
}

export function updateProject(api: Api, project: Project, changes: ProjectChanges): Promise<Project> {
  const { domainId, classificationType, ...fields } = changes;
  const settings = { ...project.settings, ...(domainId && { domainId }), ...(classificationType && { classificationType }) };
  return api.training<Project>('PATCH', `/projects/${project.id}`, { json: { ...project, ...fields, settings } });
}
