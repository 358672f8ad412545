export { BooksService, createBooksService } from './books.service.js';
export { BOOKS_SIGNATURE_HEADER, booksSignatureBase, signBooksWebhook, verifyBooksWebhookSignature } from './books.signature.js';
export { BooksError, BooksErrorCode } from './books.errors.js';
