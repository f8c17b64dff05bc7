/** @module Projects and tags found by name, so re-running a notebook reuses them instead of making copies. */
import type { TrainingAPIClient, TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';

export interface ProjectOptions {
  /** Domain name as GetDomains lists it, e.g. 'General' or 'General (compact)'. */
  domainName?: string;
  classificationType?: 'Multiclass' | 'Multilabel';
  description?: string;
}

/** The classification domain of that name (Azure lists several per name across versions: the first wins). */
export async function findDomain(trainer: TrainingAPIClient, name: string): Promise<TrainingAPIModels.Domain> {
  const domains = await trainer.getDomains();
  const domain = domains.find((d) => d.type === 'Classification' && d.name === name);
  if (!domain) throw new Error(`No classification domain named "${name}": ${domains.filter((d) => d.type === 'Classification').map((d) => d.name).join(', ')}`);
  return domain;
}

/** The project of that name, or a new one; `created` tells which. */
export async function findOrCreateProject(
  trainer: TrainingAPIClient,
  name: string,
  options: ProjectOptions = {},
): Promise<{ project: TrainingAPIModels.Project; created: boolean }> {
  const existing = await findProject(trainer, name);
  if (existing) return { project: existing, created: false };
  const domain = await findDomain(trainer, options.domainName ?? 'General');
  const project = await trainer.createProject(name, {
    domainId: domain.id,
    classificationType: options.classificationType ?? 'Multiclass',
    description: options.description,
  });
  return { project, created: true };
}

/** The project of that name, or undefined. */
export async function findProject(trainer: TrainingAPIClient, name: string): Promise<TrainingAPIModels.Project | undefined> {
  return (await trainer.getProjects()).find((p) => p.name === name);
}

/** Tag ids by name, creating the missing tags. */
export async function findOrCreateTags(trainer: TrainingAPIClient, projectId: string, names: readonly string[]): Promise<Record<string, string>> {
  const existing = await trainer.getTags(projectId);
  const ids: Record<string, string> = {};
  for (const name of names) {
    const tag = existing.find((t) => t.name === name) ?? (await trainer.createTag(projectId, name));
    ids[name] = tag.id as string;
  }
  return ids;
}

/** Switches the project's domain (e.g. to General (compact) before exporting). */
export async function setProjectDomain(trainer: TrainingAPIClient, projectId: string, domainName: string): Promise<TrainingAPIModels.Project> {
  const domain = await findDomain(trainer, domainName);
  const project = await trainer.getProject(projectId);
  if (project.settings?.domainId === domain.id) return project;
  return trainer.updateProject(projectId, { ...project, settings: { ...project.settings, domainId: domain.id } });
}
