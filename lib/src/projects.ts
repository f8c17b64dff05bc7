/**
 * @module The lab's project, found by name so that re-running a notebook reuses it (and its tags)
 * instead of making copies; made as notebook 1 makes it when notebook 2 or 3 runs first.
 */
import type { TrainingAPIModels } from '@azure/cognitiveservices-customvision-training';
import { idOf, type Lab, type Ref } from './clients';
import { TAGS, trainingImages } from './dataset';
import { latestIteration, trainAndWait, type TrainOptions } from './training';
import { progressBar, uploadImages } from './upload';

/** The lab's project name; every notebook finds the project by it. */
export const PROJECT_NAME = 'Aerial land use (lab)';

/** The classification domain of that name (Azure lists several per name across versions: the first wins). */
export async function findDomain(lab: Pick<Lab, 'trainer'>, name: string): Promise<TrainingAPIModels.Domain> {
  const domains = (await lab.trainer.getDomains()).filter((d) => d.type === 'Classification');
  const domain = domains.find((d) => d.name === name);
  if (!domain) throw new Error(`No classification domain named "${name}": ${domains.map((d) => d.name).join(', ')}`);
  return domain;
}

/** The project of that name, or a new one (domain General, Multiclass unless told); `created` tells which. */
export async function findOrCreateProject(
  lab: Pick<Lab, 'trainer'>,
  name: string,
  options: { domainName?: string; classificationType?: 'Multiclass' | 'Multilabel' } = {},
): Promise<{ project: TrainingAPIModels.Project; created: boolean }> {
  const existing = (await lab.trainer.getProjects()).find((p) => p.name === name);
  if (existing) return { project: existing, created: false };
  const domain = await findDomain(lab, options.domainName ?? 'General');
  const project = await lab.trainer.createProject(name, { domainId: domain.id, classificationType: options.classificationType ?? 'Multiclass' });
  return { project, created: true };
}

/** The project's tags by name, creating the missing ones. */
export async function findOrCreateTags(lab: Pick<Lab, 'trainer'>, project: Ref, names: readonly string[]): Promise<Record<string, TrainingAPIModels.Tag>> {
  const projectId = idOf(project, 'project');
  const existing = await lab.trainer.getTags(projectId);
  const tags: Record<string, TrainingAPIModels.Tag> = {};
  for (const name of names) tags[name] = existing.find((t) => t.name === name) ?? (await lab.trainer.createTag(projectId, name));
  return tags;
}

/** Switches the project's domain (e.g. to General (compact) before exporting); the next iteration trains on it. */
export async function setProjectDomain(lab: Pick<Lab, 'trainer'>, project: Ref, domainName: string): Promise<TrainingAPIModels.Project> {
  const projectId = idOf(project, 'project');
  const domain = await findDomain(lab, domainName);
  const current = await lab.trainer.getProject(projectId);
  if (current.settings?.domainId === domain.id) return current;
  return lab.trainer.updateProject(projectId, { ...current, settings: { ...current.settings, domainId: domain.id } });
}

/**
 * The lab's project with a trained iteration, for notebooks 2 and 3: found by name, or made as
 * notebook 1 makes it (create, tag, upload, train) when it is missing or has never been trained.
 */
export async function ensureTrainedProject(
  lab: Pick<Lab, 'trainer'>,
  options: TrainOptions = {},
): Promise<{ project: TrainingAPIModels.Project; tags: Record<string, TrainingAPIModels.Tag>; iteration: TrainingAPIModels.Iteration }> {
  const { project } = await findOrCreateProject(lab, PROJECT_NAME);
  const tags = await findOrCreateTags(lab, project, TAGS);
  let iteration = await latestIteration(lab, project, options);
  if (!iteration) {
    console.log(`Project "${PROJECT_NAME}" has no trained iteration: uploading and training as in notebook 1.`);
    for (const tag of TAGS) {
      const { failed } = await uploadImages(lab, project, trainingImages(tag), tags[tag], {
        abortSignal: options.abortSignal,
        onProgress: (p) => console.log(`${tag.padEnd(22)} ${progressBar(p.done, p.total)}  ${p.added} new, ${p.duplicates} already there`),
      });
      for (const f of failed) console.log(`  ! ${f.file}: ${f.status}`);
    }
    // Without a progress callback, one line per status, so that a long first training shows life.
    let shown = '';
    const onProgress: TrainOptions['onProgress'] = ({ iteration: it, elapsedInMs }) => {
      if (it.status !== shown) console.log(`${it.name}: ${it.status} (${(elapsedInMs / 1000).toFixed(0)} s)`);
      shown = it.status ?? '';
    };
    iteration = await trainAndWait(lab, project, { ...options, onProgress: options.onProgress ?? onProgress });
  }
  console.log(`Project "${project.name}" (${project.id}), latest iteration: ${iteration.name}`);
  return { project, tags, iteration };
}
