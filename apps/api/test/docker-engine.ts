import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

/**
 * restartDockerEngine restarts the Docker daemon the way it runs on this host: systemd's unit when systemd
 * manages it, otherwise the dockerd that scripts/prereqs.sh started (found by its pid file), stopped by
 * that PID and started again the same way. Containers stop with the daemon and come back by their
 * restart policy; the panel must notice (event stream) and converge.
 */
export async function restartDockerEngine(): Promise<void> {
  const systemd = spawnSync('systemctl', ['is-active', 'docker'], { encoding: 'utf8' });
  if (systemd.status === 0 && systemd.stdout.trim() === 'active') {
    if (spawnSync('systemctl', ['restart', 'docker']).status !== 0) throw new Error('systemctl restart docker failed');
  } else {
    const pid = Number(fs.readFileSync('/var/run/docker.pid', 'utf8').trim());
    if (!(pid > 1)) throw new Error('no dockerd pid in /var/run/docker.pid');
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300 && fs.existsSync(`/proc/${pid}`); i++) await new Promise((r) => setTimeout(r, 100));
    if (fs.existsSync(`/proc/${pid}`)) throw new Error('dockerd did not stop');
    const log = fs.openSync('/var/log/berth-dockerd.log', 'a');
    spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  }
  for (let i = 0; i < 600; i++) {
    if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the Docker engine did not come back');
}
