/**
 * Who is signed in (the gateway's sign-in, CHAT_OIDC_ISSUER): the header shows the user's name
 * and a "Sign out" button, or a "Sign in" link. Without sign-in (`/auth/me` is 204) it stays
 * hidden. Sign-out is a same-origin POST (the gateway checks its Origin), then a navigation to
 * the provider's logout page when it has one.
 */
export interface Me {
  name: string | null;
  email: string | null;
  sub: string;
}

const SIGN_IN = '/auth/login';
/** One automatic redirect to sign in per half minute, so a failing provider cannot loop. */
const REDIRECT_KEY = 'chat.signInRedirectAt';

/** Sign-in the page does itself (Cognito's hosted UI) instead of the gateway's `/auth/*`. */
export interface PageSignIn {
  signIn(): void;
  signOut(): void;
}

export class Account {
  private external: PageSignIn | undefined;

  constructor(private readonly root: HTMLElement) {
    this.part('signout').addEventListener('click', () =>
      this.external ? this.external.signOut() : void this.signOut(),
    );
    this.part('signin').addEventListener('click', (event) => {
      if (!this.external) return;
      event.preventDefault();
      this.external.signIn();
    });
  }

  /** Shows the user the page signed in itself (or the sign-in link); its buttons use `actions`. */
  showPageSignIn(user: Me | undefined, actions: PageSignIn): void {
    this.external = actions;
    if (user) this.showUser(user);
    else this.showSignIn();
  }

  /** Asks the gateway who this browser is and shows it. */
  async refresh(): Promise<void> {
    const res = await fetch('/auth/me', { cache: 'no-store' }).catch(() => undefined);
    if (!res || res.status === 204 || res.status === 404) return;
    if (res.ok) this.showUser((await res.json()) as Me);
    else this.showSignIn();
  }

  /** The gateway refused the chat with a sign-in address: go there (once), or offer the link. */
  signInNeeded(storage: Pick<Storage, 'getItem' | 'setItem'>, login: string): void {
    this.showSignIn();
    if (!login.startsWith('/') || login.startsWith('//')) return;
    const last = Number(storage.getItem(REDIRECT_KEY) ?? 0);
    if (Date.now() - last < 30_000) return;
    storage.setItem(REDIRECT_KEY, String(Date.now()));
    location.assign(login);
  }

  private showUser(me: Me): void {
    this.part('name').textContent = me.name ?? me.email ?? me.sub;
    this.part('name').hidden = false;
    this.part('signout').hidden = false;
    this.part('signin').hidden = true;
    this.root.hidden = false;
  }

  private showSignIn(): void {
    this.part('name').hidden = true;
    this.part('signout').hidden = true;
    const link = this.part('signin') as HTMLAnchorElement;
    link.href = SIGN_IN;
    link.hidden = false;
    this.root.hidden = false;
  }

  private async signOut(): Promise<void> {
    const res = await fetch('/auth/logout', { method: 'POST', cache: 'no-store' });
    const body = (await res.json().catch(() => ({}))) as { redirect?: unknown };
    const target = typeof body.redirect === 'string' ? body.redirect : '/';
    // Only http(s) addresses: a javascript: URL from a confused server must not run.
    location.assign(/^(https?:\/\/|\/(?!\/))/.test(target) ? target : '/');
  }

  private part(name: string): HTMLElement {
    const el = this.root.querySelector<HTMLElement>(`[data-part="${name}"]`);
    if (!el) throw new Error(`#account lacks [data-part=${name}]`);
    return el;
  }
}
