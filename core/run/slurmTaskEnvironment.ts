// What a Slurm array task learns about itself from the variables Slurm sets in its environment.
import type { SlurmTask } from './runRecord';

export function slurmTaskFromEnvironment(env: NodeJS.ProcessEnv): Pick<SlurmTask, 'jobId' | 'node'> {
  const arrayJob = env.SLURM_ARRAY_JOB_ID;
  const arrayTask = env.SLURM_ARRAY_TASK_ID;
  const jobId = arrayJob && arrayTask ? `${arrayJob}_${arrayTask}` : env.SLURM_JOB_ID;
  return { ...(jobId ? { jobId } : {}), ...(env.SLURMD_NODENAME ? { node: env.SLURMD_NODENAME } : {}) };
}
