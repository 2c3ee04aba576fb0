/** The job list as events change it: one entry per id, newest first. */
import type { JobInfo, JobProgress, JobState } from '../../shared/api.js';

export function upsertJob(jobs: readonly JobInfo[], job: JobInfo): JobInfo[] {
  const others = jobs.filter((j) => j.id !== job.id);
  return [job, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Adds a job the list does not have yet; events may already have brought a newer state of it. */
export function addJobIfNew(jobs: readonly JobInfo[], job: JobInfo): JobInfo[] {
  return jobs.some((j) => j.id === job.id) ? [...jobs] : upsertJob(jobs, job);
}

export function withProgress(
  jobs: readonly JobInfo[],
  id: string,
  progress: JobProgress,
): JobInfo[] {
  return jobs.map((job) => (job.id === id ? { ...job, progress } : job));
}

export function isFinished(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}
