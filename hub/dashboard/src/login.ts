import './style.css';
import { fetchSession, postJson } from './api.ts';

// The login form: fetch a CSRF token for this browser's session, post the credentials, go to the app.
const form = document.querySelector<HTMLFormElement>('#login');
const error = document.querySelector<HTMLParagraphElement>('#login-error');

form?.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  if (error) error.hidden = true;
  const session = await fetchSession();
  const response = await postJson('/auth/login', session.csrfToken, {
    username: String(data.get('username') ?? ''),
    password: String(data.get('password') ?? ''),
  });
  if (response.ok) {
    window.location.assign('/#/fleet');
    return;
  }
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (error) {
    error.textContent = body.message ?? `login failed (${response.status})`;
    error.hidden = false;
  }
});
