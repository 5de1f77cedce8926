import {
  CfnOutput,
  Duration,
  SecretValue,
  Stack,
  Validations,
  type RemovalPolicy,
} from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  ProviderAttribute,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  UserPoolIdentityProviderOidc,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { CognitoConfig } from '../config.js';

/** Properties of {@link CognitoSignIn}. */
export interface CognitoSignInProps {
  config: CognitoConfig;
  /** The chat page's URL (`https://{distribution}/`): the only callback and sign-out URL. */
  pageUrl: string;
  removalPolicy: RemovalPolicy;
}

/** What the page's `config.json` carries for sign-in (no secret: a public PKCE client). */
export interface CognitoPageSettings {
  issuer: string;
  clientId: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  logoutEndpoint: string;
  redirectUri: string;
  scopes: string[];
}

const SCOPES = [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE];

/** The hosted UI's origin, known from the context alone (the page's CSP needs it early). */
export function cognitoDomainOrigin(prefix: string, region: string): string {
  return `https://${prefix}.auth.${region}.amazoncognito.com`;
}

/**
 * Cognito sign-in for the chat (`-c auth=cognito`): a user pool (email sign-in, administrator-
 * created users unless self sign-up is on, a strong password policy, TOTP MFA), an app client
 * for the page (authorization code + PKCE, no secret, the page as callback and sign-out URL),
 * the managed login (hosted UI) domain, and optionally an external OpenID Connect provider.
 * Group membership reaches the tokens as `cognito:groups`.
 */
export class CognitoSignIn extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  /** `https://cognito-idp.{region}.amazonaws.com/{poolId}`: the tokens' `iss`. */
  readonly issuer: string;
  /** `https://{prefix}.auth.{region}.amazoncognito.com`: the page's CSP connect-src. */
  readonly domainOrigin: string;

  constructor(scope: Construct, id: string, props: CognitoSignInProps) {
    super(scope, id);
    const { config } = props;
    const region = Stack.of(this).region;

    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: 'chatbot-users',
      selfSignUpEnabled: config.selfSignUp,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: { off: Mfa.OFF, optional: Mfa.OPTIONAL, required: Mfa.REQUIRED }[config.mfa],
      ...(config.mfa !== 'off' && { mfaSecondFactor: { otp: true, sms: false } }),
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.featurePlan === 'plus' ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(config.featurePlan === 'plus' && {
        standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      }),
      deletionProtection: false,
      removalPolicy: props.removalPolicy,
    });
    this.acknowledgePool(config);

    const providers = [UserPoolClientIdentityProvider.COGNITO];
    let federation: UserPoolIdentityProviderOidc | undefined;
    if (config.federation) {
      const f = config.federation;
      federation = new UserPoolIdentityProviderOidc(this, 'Federation', {
        userPool: this.userPool,
        name: f.providerName,
        issuerUrl: f.issuer,
        clientId: f.clientId,
        // A dynamic reference: CloudFormation reads the secret at deploy; the template holds
        // only the secret's name.
        clientSecret: SecretValue.secretsManager(f.clientSecretName).unsafeUnwrap(),
        scopes: ['openid', 'email', 'profile'],
        attributeMapping: {
          email: ProviderAttribute.other('email'),
          fullname: ProviderAttribute.other('name'),
        },
      });
      providers.push(UserPoolClientIdentityProvider.custom(f.providerName));
    }

    this.client = this.userPool.addClient('PageClient', {
      userPoolClientName: 'chat-page',
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: SCOPES,
        callbackUrls: [props.pageUrl],
        logoutUrls: [props.pageUrl],
      },
      supportedIdentityProviders: providers,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    if (federation) this.client.node.addDependency(federation);

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: config.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login shows an error page until the client has a branding style.
    new CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      useCognitoProvidedValues: true,
    });

    this.issuer = `https://cognito-idp.${region}.amazonaws.com/${this.userPool.userPoolId}`;
    this.domainOrigin = cognitoDomainOrigin(config.domainPrefix, region);

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId });
    new CfnOutput(this, 'SignInDomain', {
      value: this.domainOrigin,
      description: 'The hosted sign-in page (managed login) of the chat',
    });
  }

  /** The settings the page needs, written into its `config.json` at deploy. */
  pageSettings(redirectUri: string): CognitoPageSettings {
    return {
      issuer: this.issuer,
      clientId: this.client.userPoolClientId,
      authorizationEndpoint: `${this.domainOrigin}/oauth2/authorize`,
      tokenEndpoint: `${this.domainOrigin}/oauth2/token`,
      logoutEndpoint: `${this.domainOrigin}/logout`,
      redirectUri,
      scopes: SCOPES.map((s) => s.scopeName),
    };
  }

  private acknowledgePool(config: CognitoConfig): void {
    const ack = (id: string, reason: string): void =>
      Validations.of(this.userPool).acknowledge({ id, reason });
    if (config.mfa !== 'required')
      ack(
        'AwsSolutions-COG2',
        'MFA (TOTP) is offered to every user and enforced with -c cognitoMfa=required; it is optional by default because users signing in through the federated provider get MFA there, and a team trial should not start with an authenticator enrolment.',
      );
    if (config.featurePlan !== 'plus')
      ack(
        'AwsSolutions-COG8',
        'Threat protection (advanced security) is billed per monthly active user; the pool has no self sign-up by default and a strong password policy. Deploy with -c cognitoFeaturePlan=plus to turn it on.',
      );
  }
}
