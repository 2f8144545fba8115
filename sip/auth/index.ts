/**
 * sip/auth: SIP authentication — Digest (RFC 3261 §22, RFC 7616, RFC 8760), Digest AKA
 * (RFC 3310, RFC 4169, MILENAGE), Bearer (RFC 8898) and the IMS header rules of TS 24.229.
 * See README.md for the clauses implemented and the deviations.
 */

export {
  type AkaAnswer,
  type AkaKey,
  type AnswerOptions,
  type AuthVector,
  akaPassword,
  answerAkaChallenge,
  computeAuts,
  formatAkaNonce,
  generateAuthVector,
  parseAkaNonce,
  resynchronise,
  SQN_MAX,
  sqnFromBytes,
  sqnToBytes,
  type VectorOptions,
} from './aka.ts';
export { type AkaAlgorithm, type AkaKeys, type AkaMacs, XorTestAlgorithm } from './aka-algorithm.ts';
export { AkaServer, type AkaServerOptions, type AkaVerification } from './aka-server.ts';
export {
  type AuthHeaderValue,
  type AuthParam,
  type AuthParseError,
  type AuthParseFault,
  type AuthResult,
  findParam,
  formatAuthHeader,
  formatAuthParams,
  parseAuthHeader,
  parseAuthParams,
  parseChallenges,
  schemeIs,
} from './auth-header.ts';
export {
  type AuthenticationInfo,
  formatAuthenticationInfo,
  parseAuthenticationInfo,
} from './authentication-info.ts';
export {
  type BearerChallenge,
  type BearerCredentials,
  type BearerError,
  bearerErrorStatus,
  formatBearerChallenge,
  formatBearerCredentials,
  parseBearerChallenge,
  parseBearerCredentials,
} from './bearer.ts';
export {
  AKAV1_MD5,
  AKAV2_MD5,
  type DigestAlgorithm,
  type DigestHash,
  digestAlgorithm,
  MD5,
  SHA_256,
  SHA_512_256,
} from './digest-algorithm.ts';
export {
  type AnswerChallengeOptions,
  answerChallenge,
  buildCredentials,
  type ChosenChallenge,
  type CredentialsInput,
  chooseChallenge,
  digestChallengesIn,
} from './digest-answer.ts';
export {
  type DigestChallenge,
  digestChallengeFrom,
  formatDigestChallenge,
  parseDigestChallenge,
} from './digest-challenge.ts';
export {
  type AkaOutcome,
  type ClientAnswer,
  type ClientRequest,
  type ClientSecret,
  challengeHeaderFor,
  credentialsHeaderFor,
  DigestClient,
  type DigestClientOptions,
} from './digest-client.ts';
export {
  type DigestCredentials,
  formatDigestCredentials,
  type IntegrityProtected,
  parseDigestCredentials,
} from './digest-credentials.ts';
export {
  computeDigestResponse,
  computeHa1,
  computeRspauth,
  computeUserhash,
  type DigestInput,
  type DigestSecret,
  formatNonceCount,
  hexEqual,
  parseNonceCount,
  type Qop,
} from './digest-response.ts';
export {
  type AuthRequest,
  type DigestFailureReason,
  DigestServer,
  type DigestServerOptions,
  type DigestVerification,
  type SecretLookup,
  type SecretQuery,
  type StoredSecret,
} from './digest-server.ts';
export {
  formatInitialImsAuthorization,
  isInitialImsAuthorization,
  removeAkaKeys,
  withIntegrityProtected,
} from './ims-auth.ts';
export { computeOpc, Milenage } from './milenage.ts';
export { MemoryNonceCountStore, type NonceCountStore } from './nonce-count-store.ts';
export { type NonceCheck, NonceFactory, type NonceFactoryOptions } from './nonce-factory.ts';
export { type AkaResponder, Usim, type UsimOptions } from './usim.ts';
