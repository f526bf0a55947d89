// The common actions and the provision states Ironic's state machine accepts each in (docs/architecture.md, the
// fsm package). The server checks again; this only keeps buttons that would be refused disabled.
const STABLE_POWER = (n) => !n.target_power_state && !n.target_provision_state;

export const ACTIONS = [
  { id: 'power-on', label: 'Power on', call: { method: 'PUT', path: 'states/power', body: { target: 'power on' } },
    allowed: (n) => STABLE_POWER(n) && n.power_state !== 'power on' },
  { id: 'power-off', label: 'Power off', call: { method: 'PUT', path: 'states/power', body: { target: 'power off' } },
    allowed: (n) => STABLE_POWER(n) && n.power_state !== 'power off' },
  { id: 'manage', label: 'Manage', call: { method: 'PUT', path: 'states/provision', body: { target: 'manage' } },
    allowed: (n) => ['enroll', 'available', 'inspect failed', 'clean failed', 'adopt failed'].includes(n.provision_state) },
  { id: 'inspect', label: 'Inspect', call: { method: 'PUT', path: 'states/provision', body: { target: 'inspect' } },
    allowed: (n) => ['manageable', 'inspect failed'].includes(n.provision_state) },
  { id: 'provide', label: 'Provide', call: { method: 'PUT', path: 'states/provision', body: { target: 'provide' } },
    allowed: (n) => n.provision_state === 'manageable' },
  { id: 'deploy', label: 'Deploy', call: { method: 'PUT', path: 'states/provision', body: { target: 'active' } },
    allowed: (n) => n.provision_state === 'available' && !n.maintenance },
  { id: 'undeploy', label: 'Undeploy', call: { method: 'PUT', path: 'states/provision', body: { target: 'deleted' } },
    allowed: (n) => ['active', 'deploy failed', 'error', 'rescue', 'rescue failed', 'unrescue failed',
      'wait call-back'].includes(n.provision_state) },
  { id: 'maintenance-on', label: 'Set maintenance',
    call: { method: 'PUT', path: 'maintenance', body: { reason: 'set from the dashboard' } },
    allowed: (n) => !n.maintenance },
  { id: 'maintenance-off', label: 'Clear maintenance', call: { method: 'DELETE', path: 'maintenance' },
    allowed: (n) => !!n.maintenance },
  { id: 'console-on', label: 'Enable console',
    call: { method: 'PUT', path: 'states/console', body: { enabled: true } },
    allowed: (n) => n.console_enabled === false },
];

/** Whether a caller (from /v1/auth/whoami) may act on a node at all: readers never; a project's member its own. */
export function mayAct(who, node) {
  if (!who || who.role === 'reader') return false;
  if (who.role === 'admin' || who.system_member) return true;
  return who.role === 'member' && who.project != null && who.project === node.owner;
}
